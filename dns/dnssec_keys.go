package dns

import (
	"crypto"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"

	mdns "github.com/miekg/dns"

	"github.com/gslb/gslb/zones"
)

// KeyOptions configure KeyLoader: where generated keys live and how
// signatures are dated.
type KeyOptions struct {
	// Dir is the directory of generated keys (one ECDSA P-256 combined
	// signing key per zone without [dnssec] keys), created with mode 0700
	// when a key is generated; its files have mode 0600. Empty: zones
	// without keys cannot be signed.
	Dir string
	// Generate makes a zone's key in Dir when it has none yet (gslb
	// serve); without it a missing key is an error (gslb check, gslb
	// dnssec ds).
	Generate bool
	// AllowMissing loads a zone that has no generated key yet without
	// one (gslb check): the zone compiles, unsigned.
	AllowMissing bool
	// Now is the clock of signatures; nil: time.Now.
	Now func() time.Time
}

// KeyDir is the directory of generated keys beside the state file.
func KeyDir(state string) string {
	return filepath.Join(filepath.Dir(state), "dnssec-keys")
}

// signingKey is one key pair of a signed zone.
type signingKey struct {
	dnskey *mdns.DNSKEY
	priv   crypto.Signer
	tag    uint16
	file   string // the .private file, for messages
}

// KeyLoader returns the zones.KeyLoader of the server: it loads key pairs
// in BIND's format (K<zone>+<alg>+<tag>.key and .private, as dnssec-keygen
// and ldns-keygen write them), or the zone's key in opts.Dir, generating
// it when allowed, and returns the zone's signer.
func KeyLoader(opts KeyOptions) zones.KeyLoader {
	return func(origin string, ttl uint32, files []string) (any, error) {
		var keys []*signingKey
		if len(files) == 0 {
			var err error
			if keys, err = generatedKeys(opts, origin); err != nil {
				return nil, err
			}
			if len(keys) == 0 {
				return nil, nil // AllowMissing
			}
		} else {
			var errs []error
			for i, f := range files {
				k, err := loadKeyPair(f, origin)
				if err != nil {
					errs = append(errs, &zones.KeyFileError{Index: i, Err: err})
					continue
				}
				keys = append(keys, k)
			}
			if len(errs) > 0 {
				return nil, errors.Join(errs...)
			}
		}
		return newSigner(origin, ttl, keys, opts.Now), nil
	}
}

// loadKeyPair reads the key pair base.key and base.private (base may end
// in either suffix) of the zone origin and checks that they belong
// together: a signature made with the private key verifies with the
// public one.
func loadKeyPair(base, origin string) (*signingKey, error) {
	base = strings.TrimSuffix(strings.TrimSuffix(base, ".key"), ".private")
	pubFile, privFile := base+".key", base+".private"
	pub, err := os.ReadFile(pubFile)
	if err != nil {
		return nil, fmt.Errorf("read public key: %w", err)
	}
	rr, err := mdns.ReadRR(strings.NewReader(string(pub)), pubFile)
	if err != nil {
		return nil, fmt.Errorf("parse public key %s: %w", pubFile, err)
	}
	k, ok := rr.(*mdns.DNSKEY)
	if !ok || k == nil {
		return nil, fmt.Errorf("public key %s: no DNSKEY record in it", pubFile)
	}
	if !strings.EqualFold(k.Hdr.Name, origin) {
		return nil, fmt.Errorf("key %s is for zone %s, not %s", pubFile, k.Hdr.Name, origin)
	}
	if err := checkKey(k); err != nil {
		return nil, fmt.Errorf("key %s: %w", pubFile, err)
	}
	f, err := os.Open(privFile)
	if err != nil {
		return nil, fmt.Errorf("read private key: %w", err)
	}
	defer f.Close()
	priv, err := k.ReadPrivateKey(f, privFile)
	if err != nil {
		return nil, fmt.Errorf("parse private key %s: %w", privFile, err)
	}
	signer, ok := priv.(crypto.Signer)
	if !ok {
		return nil, fmt.Errorf("private key %s cannot sign", privFile)
	}
	key := &signingKey{dnskey: k, priv: signer, tag: k.KeyTag(), file: privFile}
	if err := key.selfTest(); err != nil {
		return nil, fmt.Errorf("%s and %s are not a pair: a signature by the private key does not verify with the public key (%w)", pubFile, privFile, err)
	}
	return key, nil
}

// checkKey refuses keys gslb does not sign with.
func checkKey(k *mdns.DNSKEY) error {
	if k.Algorithm != mdns.ECDSAP256SHA256 && k.Algorithm != mdns.ED25519 {
		return fmt.Errorf("algorithm %d (%s) is not supported: use ECDSAP256SHA256 (13) or ED25519 (15)", k.Algorithm, mdns.AlgorithmToString[k.Algorithm])
	}
	if k.Protocol != 3 || k.Flags&mdns.ZONE == 0 || k.Flags&mdns.REVOKE != 0 {
		return fmt.Errorf("flags %d protocol %d: not a zone key (want flags 256 or 257, protocol 3)", k.Flags, k.Protocol)
	}
	return nil
}

// selfTest signs a record with the private key and verifies the
// signature with the public key.
func (k *signingKey) selfTest() error {
	rr := &mdns.TXT{Hdr: mdns.RR_Header{Name: k.dnskey.Hdr.Name, Rrtype: mdns.TypeTXT, Class: mdns.ClassINET, Ttl: 1}, Txt: []string{"gslb key check"}}
	now := time.Now()
	sig := &mdns.RRSIG{
		Hdr:       mdns.RR_Header{Ttl: 1},
		Algorithm: k.dnskey.Algorithm, KeyTag: k.tag, SignerName: strings.ToLower(k.dnskey.Hdr.Name),
		Inception: uint32(now.Add(-time.Hour).Unix()), Expiration: uint32(now.Add(time.Hour).Unix()),
	}
	if err := sig.Sign(k.priv, []mdns.RR{rr}); err != nil {
		return err
	}
	return sig.Verify(k.dnskey, []mdns.RR{rr})
}

// generatedKeys loads the zone's keys from opts.Dir, generating one when
// there is none and opts.Generate is set.
func generatedKeys(opts KeyOptions, origin string) ([]*signingKey, error) {
	if opts.Dir == "" {
		return nil, errors.New("no keys listed and no key directory for a generated key")
	}
	if strings.ContainsAny(origin, `/\`) {
		return nil, fmt.Errorf("zone %s: its name cannot be a key file name: list its keys", origin)
	}
	found, err := filepath.Glob(filepath.Join(opts.Dir, "K"+globEscape(origin)+"+*.key"))
	if err != nil {
		return nil, fmt.Errorf("list generated keys: %w", err)
	}
	slices.Sort(found)
	if len(found) == 0 {
		if opts.AllowMissing && !opts.Generate {
			return nil, nil
		}
		if !opts.Generate {
			return nil, fmt.Errorf("no generated key for %s in %s yet: gslb serve makes it when it first loads the zone", origin, opts.Dir)
		}
		base, err := generateKey(opts.Dir, origin)
		if err != nil {
			return nil, err
		}
		found = []string{base + ".key"}
	}
	var keys []*signingKey
	for _, f := range found {
		k, err := loadKeyPair(f, origin)
		if err != nil {
			return nil, fmt.Errorf("generated key: %w", err)
		}
		keys = append(keys, k)
	}
	return keys, nil
}

// globEscape escapes the characters filepath.Match treats specially.
func globEscape(s string) string {
	var b strings.Builder
	for _, c := range s {
		if strings.ContainsRune(`*?[\`, c) {
			b.WriteByte('\\')
		}
		b.WriteRune(c)
	}
	return b.String()
}

// generateKey makes an ECDSA P-256 combined signing key (flags 257) for
// the zone in dir and returns the files' base name. The files are written
// aside and renamed into place, so a crash leaves no half-written key.
func generateKey(dir, origin string) (string, error) {
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return "", fmt.Errorf("key directory: %w", err)
	}
	k := &mdns.DNSKEY{
		Hdr:       mdns.RR_Header{Name: origin, Rrtype: mdns.TypeDNSKEY, Class: mdns.ClassINET, Ttl: 3600},
		Flags:     mdns.ZONE | mdns.SEP,
		Protocol:  3,
		Algorithm: mdns.ECDSAP256SHA256,
	}
	priv, err := k.Generate(256)
	if err != nil {
		return "", fmt.Errorf("generate key: %w", err)
	}
	base := filepath.Join(dir, fmt.Sprintf("K%s+%03d+%05d", origin, k.Algorithm, k.KeyTag()))
	now := time.Now().UTC().Format("20060102150405")
	private := k.PrivateKeyString(priv) + "Created: " + now + "\nPublish: " + now + "\nActivate: " + now + "\n"
	public := fmt.Sprintf("; This is a key-signing key (combined signing key), keyid %d, for %s\n; Generated by gslb on %s\n%s\n",
		k.KeyTag(), origin, time.Now().UTC().Format(time.RFC3339), k.String())
	// The private key first: a .key without its .private is never listed.
	for _, f := range []struct{ name, text string }{{base + ".private", private}, {base + ".key", public}} {
		if err := writeFileAtomic(f.name, []byte(f.text)); err != nil {
			return "", err
		}
	}
	return base, nil
}

// writeFileAtomic writes data to a new file beside name (mode 0600) and
// renames it to name.
func writeFileAtomic(name string, data []byte) error {
	tmp, err := os.CreateTemp(filepath.Dir(name), ".tmp-"+filepath.Base(name)+"-*")
	if err != nil {
		return fmt.Errorf("write key: %w", err)
	}
	defer os.Remove(tmp.Name()) // after a successful rename: nothing to remove
	if err := tmp.Chmod(0o600); err != nil {
		tmp.Close()
		return fmt.Errorf("write key: %w", err)
	}
	if _, err := tmp.Write(data); err != nil {
		tmp.Close()
		return fmt.Errorf("write key: %w", err)
	}
	if err := tmp.Sync(); err != nil {
		tmp.Close()
		return fmt.Errorf("write key: %w", err)
	}
	if err := tmp.Close(); err != nil {
		return fmt.Errorf("write key: %w", err)
	}
	if err := os.Rename(tmp.Name(), name); err != nil {
		return fmt.Errorf("write key: %w", err)
	}
	return nil
}

// DSRecords returns the DS records (SHA-256 digests, RFC 4509) of a signed
// zone's key-signing keys (those with the SEP flag, or every key when none
// has it), in presentation format, to give to the parent zone. It fails
// for a zone that is not signed or was compiled without its keys.
func DSRecords(z *zones.Zone) ([]string, error) {
	if z.DNSSEC == nil {
		return nil, fmt.Errorf("zone %s is not signed: it has no [dnssec] table", z.Origin)
	}
	sg, ok := z.DNSSEC.Signer.(*signer)
	if !ok {
		return nil, fmt.Errorf("zone %s: its keys are not loaded", z.Origin)
	}
	var out []string
	for _, k := range sg.ksk {
		ds := k.dnskey.ToDS(mdns.SHA256)
		if ds == nil {
			return nil, fmt.Errorf("zone %s: no DS for key %d", z.Origin, k.tag)
		}
		ds.Hdr.Ttl = sg.ttl
		out = append(out, ds.String())
	}
	return out, nil
}
