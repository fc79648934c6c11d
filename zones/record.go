package zones

import (
	"github.com/gslb/gslb/internal/dnscode"
	"github.com/gslb/gslb/internal/tomlcheck"
)

// Record types that lookup and validation treat specially.
const (
	TypeA     = dnscode.TypeA
	TypeNS    = dnscode.TypeNS
	TypeCNAME = dnscode.TypeCNAME
	TypeSOA   = dnscode.TypeSOA
	TypeMX    = dnscode.TypeMX
	TypeAAAA  = dnscode.TypeAAAA
	TypeSRV   = dnscode.TypeSRV
	TypeDNAME = dnscode.TypeDNAME
	TypeDS    = dnscode.TypeDS
	TypeRRSIG = dnscode.TypeRRSIG
	TypeNSEC  = dnscode.TypeNSEC
	TypeANY   = dnscode.TypeANY
)

// Position is a place in a configuration or zone file. Line and Col start
// at 1; a zero Line means the file as a whole.
type Position = tomlcheck.Position

// Record is one parsed resource record of a zone. Records are shared by
// every query that answers them and must never be modified after loading.
type Record struct {
	Name   string // absolute owner name, lower case
	Type   uint16 // RR type
	TTL    uint32 // TTL in seconds
	Target string // absolute lower-case name the record points at (NS, CNAME, DNAME, MX, SRV), else ""
	Data   any    // the parsed record as the Parser returned it (a dns.RR); opaque here
	RData  string // the RDATA in canonical wire form (RFC 4034 6.2): equal for equal records
	// Where the record was written in its zone's file (Zone.File; the
	// zone's at makes the Position): a line and a column, not a Position,
	// which would repeat the file's name in every record of a zone.
	Line, Col int32
}

// at returns where r was written: in z's file, at r's line and column.
func (z *Zone) at(r *Record) Position {
	return Position{File: z.File, Line: int(r.Line), Col: int(r.Col)}
}

// Parser parses one record written in presentation format. Relative names
// are relative to origin; a record without a TTL gets defaultTTL. It returns
// the record without Pos, which the loader fills in, and with RData set:
// the loader drops a record whose RData, type and TTL another record of the
// same owner has.
type Parser func(text, origin string, defaultTTL uint32) (Record, error)
