package cluster

import "errors"

// Errors returned by this package; test for them with errors.Is.
var (
	// ErrNameConflict is returned by Run when a live member of the cluster
	// already has this node's name at another address.
	ErrNameConflict = errors.New("node name already used in the cluster")
	// ErrConfig is wrapped by New for an unusable Config.
	ErrConfig = errors.New("invalid cluster configuration")
)
