package zones

import (
	"crypto/sha256"

	"github.com/gslb/gslb/config"
	"github.com/gslb/gslb/internal/tomlcheck"
)

// SetConfig compiles every zone serving now against cfg, a new server
// configuration, and publishes the result, or changes nothing and returns
// the problems (a tomlcheck.ErrorList) when cfg would take a serving zone
// down: a datacenter, check, map or server pool that a zone uses and cfg
// no longer defines, say.
//
// A serving file is compiled as it is on disk when that version compiles
// against cfg and keeps the zone's origin (so a configuration and the zone
// files that follow it can change together), else as the version serving.
// Files that serve nothing (new, or broken since before) are left to the
// next Reload, which should follow a successful SetConfig so that the
// zones directory is read against the new configuration.
//
// The zones directory stays as it is: cfg.ZonesDir is ignored (SetDir
// changes it).
func (s *Store) SetConfig(cfg *config.Config) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	var errs tomlcheck.ErrorList
	next := make(map[string]*loaded, len(s.files))
	compiled := 0
	var gc gcPause
	defer func() { gc.end(compiled) }()
	for path, old := range s.files {
		l, ferrs := s.recompile(path, old, cfg, &gc)
		if l == nil {
			errs = append(errs, ferrs...)
			continue
		}
		next[path] = l
	}
	if len(errs) > 0 {
		errs.Sort()
		return errs
	}
	s.cfg.Store(cfg)
	s.files = next
	s.publishLocked()
	for _, l := range next {
		compiled += len(l.src)
	}
	return nil
}

// recompile compiles the zone of a serving file against cfg: the file as
// it is now when that compiles and keeps the zone's origin, else the
// version serving. On failure it returns the problems of the version the
// operator sees: the file on disk. gc pauses the collector for a large
// file.
func (s *Store) recompile(path string, old *loaded, cfg *config.Config, gc *gcPause) (*loaded, tomlcheck.ErrorList) {
	var diskErrs tomlcheck.ErrorList
	if src, err := readZoneFile(path, cfg); err == nil {
		if hash := sha256.Sum256(src); hash != old.hash {
			gc.grow(len(src))
			z, err := Compile(path, src, cfg, s.parse, CompileOptions{Serial: s.derivedSerial(path, old), Keys: s.keys})
			if err == nil && z.Origin == old.zone.Origin {
				return &loaded{zone: z, hash: hash, src: src}, nil
			}
			diskErrs = tomlcheck.Errors(err)
		}
	}
	gc.grow(len(old.src))
	z, err := Compile(path, old.src, cfg, s.parse, CompileOptions{Serial: old.zone.Serial, Keys: s.keys})
	if err != nil {
		if len(diskErrs) > 0 {
			return nil, diskErrs
		}
		return nil, tomlcheck.Errors(err)
	}
	return &loaded{zone: z, hash: old.hash, src: old.src}, nil
}
