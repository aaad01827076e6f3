package main

import (
	"crypto/ed25519"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/binary"
	"encoding/hex"
	"fmt"
	"strings"
	"testing"

	"golang.org/x/mod/sumdb/note"
)

func TestParseCheckpointFollowsTlogCheckpoint(t *testing.T) {
	// The example of c2sp.org/tlog-checkpoint.
	c, err := parseCheckpoint("example.com/behind-the-sofa\n20852163\nCsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2I=\n")
	if err != nil || c.Origin != "example.com/behind-the-sofa" || c.Size != 20852163 || len(c.Root) != 32 || len(c.Extensions) != 0 {
		t.Fatalf("the specification's example: %+v, %v", c, err)
	}
	c, err = parseCheckpoint("o\n0\n47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=\n2026-01-01T00:00:00.000Z\n")
	if err != nil || c.Size != 0 || len(c.Extensions) != 1 {
		t.Fatalf("an empty tree with an extension line: %+v, %v", c, err)
	}
	for _, bad := range []string{
		"o\n01\n47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=\n", // leading zero
		"o\n+1\n47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=\n", // sign
		"o\n1\n47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSu=\n",    // not 32 bytes
		"o\n1\n", // two lines
		"o\n1\n47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=\n\nx\n", // an empty line
		"o\n1\n47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=",        // no final newline
	} {
		if _, err := parseCheckpoint(bad); err == nil {
			t.Errorf("accepted %q", bad)
		}
	}
}

func TestWitnessCosignatures(t *testing.T) {
	pub, priv, _ := ed25519.GenerateKey(rand.Reader)
	name := "witness.example/w1"
	id := sha256.Sum256(append([]byte(name+"\n\x04"), pub...))
	vkey := fmt.Sprintf("%s+%s+%s", name, hex.EncodeToString(id[:4]), base64.StdEncoding.EncodeToString(append([]byte{0x04}, pub...)))
	v, err := newWitnessVerifier(vkey)
	if err != nil {
		t.Fatal(err)
	}
	text := []byte("example.com/log\n1\n47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=\n")
	cosig := func(ts, signedTs uint64) []byte {
		sig := make([]byte, 8)
		binary.BigEndian.PutUint64(sig, ts)
		return append(sig, ed25519.Sign(priv, append([]byte(fmt.Sprintf("cosignature/v1\ntime %d\n", signedTs)), text...))...)
	}
	if !v.Verify(text, cosig(1700000000, 1700000000)) {
		t.Error("a good cosignature does not verify")
	}
	if v.Verify(text, cosig(1700000000, 1700000001)) {
		t.Error("a cosignature over another time verifies")
	}
	if _, err := newWitnessVerifier(strings.Replace(vkey, hex.EncodeToString(id[:4]), "00000000", 1)); err == nil {
		t.Error("a vkey with a wrong key ID was accepted")
	}
	// A log signature type (0x01) is not a cosigner key.
	logVkey, _ := note.NewEd25519VerifierKey(name, pub)
	if _, err := newWitnessVerifier(logVkey); err == nil {
		t.Error("an Ed25519 (0x01) vkey was accepted as a cosigner's")
	}
}

func TestEcmaNumber(t *testing.T) {
	for in, want := range map[float64]string{
		0: "0", 1: "1", -1.5: "-1.5", 0.1: "0.1", 1e21: "1e+21", 1e20: "100000000000000000000", 123456789012345680000: "123456789012345680000",
		1e-6: "0.000001", 1e-7: "1e-7", 1.5e-7: "1.5e-7", -5e-324: "-5e-324", 1.7976931348623157e308: "1.7976931348623157e+308", 9007199254740993: "9007199254740992",
	} {
		if got := ecmaNumber(in); got != want {
			t.Errorf("ecmaNumber(%v) = %s, want %s", in, got, want)
		}
	}
}
