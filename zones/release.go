package zones

import "runtime/debug"

// releaseAfter is how many bytes of zone files a reload must have compiled
// before it hands the memory freed by the compilation back to the system.
const releaseAfter = 1 << 20

// release returns to the operating system the memory that compiling
// compiled bytes of zone files left behind: the decoded TOML, the parsed
// records and the version replaced. Go's garbage collector keeps freed
// memory for reuse and gives it back only over minutes, so without this
// the resident size after loading a zone of a million records stays at the
// peak of its compilation, about twice what the zone holds. Small reloads
// are left to the collector: a forced collection costs more than they free.
func release(compiled int) {
	if compiled >= releaseAfter {
		debug.FreeOSMemory()
	}
}
