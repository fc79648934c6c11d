// Package tomlcheck is the TOML checking machinery shared by the server
// configuration (package config) and the zone files (package zones): it
// decodes a file into generic values, reads them through typed getters on
// Table that report every problem instead of stopping at the first, and
// positions each problem as file:line:col: key.path: message.
//
// BurntSushi/toml reports the position of syntax errors only, so Parse also
// scans the document for the position of every key; a problem is placed at
// the value of its key path, or at the nearest enclosing key that has a
// position. Problems are collected in an ErrorList, which sorts them by
// position and is returned whole as the error of a load.
//
// The package knows nothing of what the keys mean: the schemas, defaults and
// cross-checks live with their packages.
package tomlcheck
