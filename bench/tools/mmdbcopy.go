package main

import (
	"bytes"
	"encoding/binary"
	"flag"
	"fmt"
	"os"

	"github.com/oschwald/maxminddb-golang/v2"
)

// mmdbcopyCmd writes a copy of a MaxMind database whose build_epoch (the
// build time in its metadata) is moved by -epoch-add seconds: the same
// networks and records, a file that differs, so that a server replacing
// one by the other really reloads (and says so through its build time).
func mmdbcopyCmd(args []string) error {
	fs := flag.NewFlagSet("mmdbcopy", flag.ExitOnError)
	in := fs.String("in", "", "database to copy")
	out := fs.String("out", "", "file to write")
	add := fs.Uint64("epoch-add", 86400, "seconds added to build_epoch")
	fs.Parse(args)
	if *in == "" || *out == "" {
		return fmt.Errorf("usage: mmdbcopy -in FILE -out FILE [-epoch-add SECONDS]")
	}
	data, err := os.ReadFile(*in)
	if err != nil {
		return err
	}
	epoch, err := setBuildEpoch(data, *add)
	if err != nil {
		return fmt.Errorf("%s: %w", *in, err)
	}
	r, err := maxminddb.OpenBytes(data)
	if err != nil {
		return fmt.Errorf("the copy does not open: %w", err)
	}
	if uint64(r.Metadata.BuildEpoch) != epoch {
		return fmt.Errorf("the copy's build_epoch is %d, want %d", r.Metadata.BuildEpoch, epoch)
	}
	if err := os.WriteFile(*out, data, 0o644); err != nil {
		return err
	}
	fmt.Println(epoch)
	return nil
}

// setBuildEpoch adds add to the unsigned build_epoch of the database's
// metadata in place, keeping its encoded width, and returns the new value.
// The metadata follows the last "\xab\xcd\xefMaxMind.com" marker; the key is
// the 11-byte string "build_epoch" (control byte 0x4b), its value a uint32
// (type 6) or uint64 (extended type 9) of up to 8 bytes, big endian.
func setBuildEpoch(data []byte, add uint64) (uint64, error) {
	start := bytes.LastIndex(data, []byte("\xab\xcd\xefMaxMind.com"))
	if start < 0 {
		return 0, fmt.Errorf("no metadata marker")
	}
	key := bytes.Index(data[start:], []byte("\x4bbuild_epoch"))
	if key < 0 {
		return 0, fmt.Errorf("no build_epoch in the metadata")
	}
	i := start + key + len("\x4bbuild_epoch")
	if i >= len(data) {
		return 0, fmt.Errorf("build_epoch has no value")
	}
	ctrl := data[i]
	typ, size := int(ctrl>>5), int(ctrl&0x1f)
	i++
	if typ == 0 { // extended type
		if i >= len(data) {
			return 0, fmt.Errorf("build_epoch has no value")
		}
		typ = 7 + int(data[i])
		i++
	}
	if typ != 6 && typ != 9 || size > 8 || i+size > len(data) {
		return 0, fmt.Errorf("build_epoch is not a plain unsigned integer (type %d, size %d)", typ, size)
	}
	var b [8]byte
	copy(b[8-size:], data[i:i+size])
	v := binary.BigEndian.Uint64(b[:]) + add
	binary.BigEndian.PutUint64(b[:], v)
	for _, x := range b[:8-size] {
		if x != 0 {
			return 0, fmt.Errorf("build_epoch %d does not fit in %d bytes", v, size)
		}
	}
	copy(data[i:i+size], b[8-size:])
	return v, nil
}
