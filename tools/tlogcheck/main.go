// Command tlogcheck checks an election casework transparency log, and court bundles, with the
// transparency ecosystem's own Go libraries rather than the project's code:
//
//   - golang.org/x/mod/sumdb/note opens the checkpoint, a C2SP signed note, with the authority's
//     verifier key (note.NewVerifier);
//   - the checkpoint text is read by c2sp.org/tlog-checkpoint's rules;
//   - github.com/transparency-dev/merkle/proof verifies inclusion and consistency proofs with the
//     RFC 6962 hasher (rfc6962.DefaultHasher).
//
// Usage:
//
//	tlogcheck log    --url http://127.0.0.1:3000 --authority northshire --vkey <vkey> [--witness <vkey>]... [--max-leaves 1000]
//	tlogcheck event  --url http://127.0.0.1:3000 --authority northshire --vkey <vkey> --case <case id> --seq <n> [--hash <event hash, hex>]
//	tlogcheck bundle [--vkey <vkey>] [--witness <vkey>]... bundle.json
//	tlogcheck canonical values.json   (the canonical JSON of each value of an array, one a line)
//
// Each check prints "ok    <name>: <detail>" or "FAIL  <name>: <problem>". The exit status is 0
// when every check passes, 1 when one fails, and 2 when the checks cannot run (bad usage, the
// server cannot be reached, a file cannot be read).
package main

import (
	"crypto/ed25519"
	"crypto/sha256"
	"crypto/x509"
	"encoding/base64"
	"encoding/binary"
	"encoding/hex"
	"encoding/json"
	"encoding/pem"
	"errors"
	"flag"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"strconv"
	"strings"
	"time"

	"github.com/transparency-dev/merkle/proof"
	"github.com/transparency-dev/merkle/rfc6962"
	"golang.org/x/mod/sumdb/note"
)

// failures counts the checks that failed.
var failures int

func ok(name, format string, args ...any) {
	fmt.Printf("ok    %s: %s\n", name, fmt.Sprintf(format, args...))
}

func fail(name, format string, args ...any) {
	failures++
	fmt.Printf("FAIL  %s: %s\n", name, fmt.Sprintf(format, args...))
}

// fatal reports that the checks cannot run at all.
func fatal(format string, args ...any) {
	fmt.Fprintf(os.Stderr, "tlogcheck: "+format+"\n", args...)
	os.Exit(2)
}

type multiFlag []string

func (m *multiFlag) String() string     { return strings.Join(*m, ",") }
func (m *multiFlag) Set(v string) error { *m = append(*m, v); return nil }

func main() {
	if len(os.Args) < 2 {
		fatal("usage: tlogcheck log --url URL --authority ID --vkey VKEY | tlogcheck bundle [--vkey VKEY] FILE")
	}
	switch os.Args[1] {
	case "log":
		runLog(os.Args[2:])
	case "bundle":
		runBundle(os.Args[2:])
	case "event":
		runEvent(os.Args[2:])
	case "canonical":
		// For the tests: the canonical JSON of each member of the array in the file, one a line.
		data, err := os.ReadFile(os.Args[len(os.Args)-1])
		if err != nil {
			fatal("%v", err)
		}
		v, err := decodeJSON(data)
		list, isList := v.([]any)
		if err != nil || !isList {
			fatal("canonical: the file must hold a JSON array")
		}
		for _, item := range list {
			text, err := canonicalJSON(item)
			if err != nil {
				fatal("canonical: %v", err)
			}
			fmt.Println(text)
		}
		return
	default:
		fatal("unknown command %q: log or bundle", os.Args[1])
	}
	if failures > 0 {
		fmt.Printf("%d check(s) failed\n", failures)
		os.Exit(1)
	}
	fmt.Println("every check passed")
}

// ---- checkpoints ----

type checkpoint struct {
	Origin     string
	Size       uint64
	Root       []byte
	Extensions []string
	Note       *note.Note
}

// parseCheckpoint reads a checkpoint's note text by c2sp.org/tlog-checkpoint: at least three
// non-empty lines, origin, decimal size without leading zeroes, base64 of a 32-byte root, then
// optional extension lines.
func parseCheckpoint(text string) (checkpoint, error) {
	var c checkpoint
	if !strings.HasSuffix(text, "\n") {
		return c, errors.New("the checkpoint text does not end with a newline")
	}
	lines := strings.Split(strings.TrimSuffix(text, "\n"), "\n")
	if len(lines) < 3 {
		return c, errors.New("a checkpoint has at least three lines")
	}
	for _, l := range lines {
		if l == "" {
			return c, errors.New("a checkpoint line is empty")
		}
	}
	c.Origin = lines[0]
	if lines[1] != "0" && (strings.HasPrefix(lines[1], "0") || strings.HasPrefix(lines[1], "+")) {
		return c, fmt.Errorf("the tree size %q has a leading zero or sign", lines[1])
	}
	size, err := strconv.ParseUint(lines[1], 10, 64)
	if err != nil {
		return c, fmt.Errorf("the tree size %q is not a decimal number", lines[1])
	}
	c.Size = size
	root, err := base64.StdEncoding.Strict().DecodeString(lines[2])
	if err != nil || len(root) != sha256.Size || base64.StdEncoding.EncodeToString(root) != lines[2] {
		return c, fmt.Errorf("the root hash %q is not the base64 of 32 bytes", lines[2])
	}
	c.Root = root
	c.Extensions = lines[3:]
	return c, nil
}

// cosigVerifier verifies Ed25519 witness cosignatures (c2sp.org/tlog-cosignature, type 0x04):
// the signature is an 8-byte big-endian timestamp and an Ed25519 signature of
// "cosignature/v1\ntime <timestamp>\n" followed by the checkpoint text.
type cosigVerifier struct {
	name string
	hash uint32
	key  ed25519.PublicKey
}

func (v *cosigVerifier) Name() string    { return v.name }
func (v *cosigVerifier) KeyHash() uint32 { return v.hash }
func (v *cosigVerifier) Verify(msg, sig []byte) bool {
	if len(sig) != 8+ed25519.SignatureSize {
		return false
	}
	ts := binary.BigEndian.Uint64(sig[:8])
	if ts > 1<<63-1 {
		return false
	}
	signed := append([]byte(fmt.Sprintf("cosignature/v1\ntime %d\n", ts)), msg...)
	return ed25519.Verify(v.key, signed, sig[8:])
}

// newWitnessVerifier reads a cosigner's vkey, <name>+<key ID hex>+base64(0x04 || 32-byte key).
func newWitnessVerifier(vkey string) (note.Verifier, error) {
	name, rest, _ := strings.Cut(vkey, "+")
	id16, key64, _ := strings.Cut(rest, "+")
	id, err1 := strconv.ParseUint(id16, 16, 32)
	key, err2 := base64.StdEncoding.DecodeString(key64)
	if name == "" || strings.ContainsAny(name, " \t\n+") || len(id16) != 8 || err1 != nil || err2 != nil || len(key) != 1+ed25519.PublicKeySize || key[0] != 0x04 {
		return nil, fmt.Errorf("%q is not an Ed25519 cosigner (type 0x04) verifier key", vkey)
	}
	h := sha256.Sum256(append([]byte(name+"\n"), key...))
	if binary.BigEndian.Uint32(h[:4]) != uint32(id) {
		return nil, fmt.Errorf("the key ID of %q does not match its name and key", vkey)
	}
	return &cosigVerifier{name: name, hash: uint32(id), key: ed25519.PublicKey(key[1:])}, nil
}

// openCheckpoint opens a checkpoint note with the log's verifier key (and any witnesses', each of
// which must have cosigned it), then parses its text. Signatures by other keys are ignored, as
// signed-note requires.
func openCheckpoint(check string, msg []byte, log note.Verifier, witnesses []note.Verifier) (checkpoint, bool) {
	n, err := note.Open(msg, note.VerifierList(append([]note.Verifier{log}, witnesses...)...))
	if err != nil {
		fail(check, "the signed note does not open with %s+%08x: %v", log.Name(), log.KeyHash(), err)
		return checkpoint{}, false
	}
	signed := map[string]bool{}
	for _, s := range n.Sigs {
		signed[fmt.Sprintf("%s+%08x", s.Name, s.Hash)] = true
	}
	if !signed[fmt.Sprintf("%s+%08x", log.Name(), log.KeyHash())] {
		fail(check, "the note is not signed by the log's key %s+%08x", log.Name(), log.KeyHash())
		return checkpoint{}, false
	}
	for _, w := range witnesses {
		if !signed[fmt.Sprintf("%s+%08x", w.Name(), w.KeyHash())] {
			fail(check, "the note has no cosignature by the witness %s+%08x", w.Name(), w.KeyHash())
			return checkpoint{}, false
		}
	}
	c, err := parseCheckpoint(n.Text)
	if err != nil {
		fail(check, "the note's text is not a checkpoint: %v", err)
		return checkpoint{}, false
	}
	if c.Origin != log.Name() {
		fail(check, "the checkpoint's origin %q is not the key name %q", c.Origin, log.Name())
		return checkpoint{}, false
	}
	c.Note = n
	return c, true
}

func witnessVerifiers(vkeys []string) []note.Verifier {
	var out []note.Verifier
	for _, v := range vkeys {
		w, err := newWitnessVerifier(v)
		if err != nil {
			fatal("--witness: %v", err)
		}
		out = append(out, w)
	}
	return out
}

func signedBy(c checkpoint) string {
	names := []string{}
	for _, s := range c.Note.Sigs {
		names = append(names, fmt.Sprintf("%s+%08x", s.Name, s.Hash))
	}
	extra := ""
	if len(c.Note.UnverifiedSigs) > 0 {
		extra = fmt.Sprintf(" (%d signature(s) by other keys ignored)", len(c.Note.UnverifiedSigs))
	}
	return strings.Join(names, ", ") + extra
}

// ---- the log, over HTTP ----

var client = &http.Client{Timeout: 60 * time.Second}

func get(base, path string, query url.Values) []byte {
	u := strings.TrimSuffix(base, "/") + path
	if len(query) > 0 {
		u += "?" + query.Encode()
	}
	res, err := client.Get(u)
	if err != nil {
		fatal("GET %s: %v", u, err)
	}
	defer res.Body.Close()
	body, err := io.ReadAll(io.LimitReader(res.Body, 64<<20))
	if err != nil {
		fatal("GET %s: %v", u, err)
	}
	if res.StatusCode != http.StatusOK {
		fatal("GET %s: HTTP %d: %s", u, res.StatusCode, strings.TrimSpace(string(body)))
	}
	return body
}

func b64s(list []string) ([][]byte, error) {
	out := make([][]byte, len(list))
	for i, s := range list {
		b, err := base64.StdEncoding.Strict().DecodeString(s)
		if err != nil {
			return nil, fmt.Errorf("proof hash %d is not base64", i)
		}
		out[i] = b
	}
	return out, nil
}

func runLog(args []string) {
	fs := flag.NewFlagSet("log", flag.ExitOnError)
	base := fs.String("url", "", "the API's base URL, e.g. http://127.0.0.1:3000")
	authority := fs.String("authority", "", "the authority whose log to check, e.g. northshire")
	vkey := fs.String("vkey", "", "the authority's verifier key, obtained out of band (GET /transparency/<authority>/vkey)")
	maxLeaves := fs.Int("max-leaves", 1000, "check the inclusion of at most this many leaves, spread over the log")
	maxOld := fs.Int("max-checkpoints", 20, "check consistency with at most this many earlier checkpoints")
	var witnesses multiFlag
	fs.Var(&witnesses, "witness", "a witness's cosigner vkey (type 0x04) whose cosignature the checkpoint must carry; repeatable")
	_ = fs.Parse(args)
	if *base == "" || *authority == "" || *vkey == "" || fs.NArg() != 0 {
		fatal("usage: tlogcheck log --url URL --authority ID --vkey VKEY [--witness VKEY]...")
	}
	verifier, err := note.NewVerifier(*vkey)
	if err != nil {
		fatal("--vkey: %v", err)
	}
	wits := witnessVerifiers(witnesses)
	prefix := "/transparency/" + url.PathEscape(*authority)
	hasher := rfc6962.DefaultHasher

	latest, good := openCheckpoint("checkpoint", get(*base, prefix+"/checkpoint.note", nil), verifier, wits)
	if !good {
		return
	}
	ok("checkpoint", "%s, size %d, root %s, signed by %s", latest.Origin, latest.Size, base64.StdEncoding.EncodeToString(latest.Root), signedBy(latest))

	// Consistency with the earlier checkpoints the server lists: each one's note is opened with
	// the same key, and the proof is checked between the two signed roots, not the roots the
	// proof's answer states.
	var list struct {
		Items []struct {
			TreeSize uint64 `json:"treeSize"`
		} `json:"items"`
	}
	if err := json.Unmarshal(get(*base, prefix+"/checkpoints", url.Values{"limit": {"100"}}), &list); err != nil {
		fatal("the checkpoint list is not JSON: %v", err)
	}
	seen := map[uint64]bool{latest.Size: true}
	checked := 0
	for _, item := range list.Items {
		if seen[item.TreeSize] || item.TreeSize > latest.Size || checked >= *maxOld {
			continue
		}
		seen[item.TreeSize] = true
		checked++
		name := fmt.Sprintf("consistency %d -> %d", item.TreeSize, latest.Size)
		old, good := openCheckpoint(name, get(*base, prefix+"/checkpoint.note", url.Values{"treeSize": {strconv.FormatUint(item.TreeSize, 10)}}), verifier, nil)
		if !good {
			continue
		}
		var answer struct {
			Size1 uint64   `json:"size1"`
			Size2 uint64   `json:"size2"`
			Proof []string `json:"proof"`
		}
		body := get(*base, prefix+"/tlog/consistency", url.Values{"size1": {strconv.FormatUint(old.Size, 10)}, "size2": {strconv.FormatUint(latest.Size, 10)}})
		if err := json.Unmarshal(body, &answer); err != nil {
			fail(name, "the answer is not JSON: %v", err)
			continue
		}
		hashes, err := b64s(answer.Proof)
		if err != nil {
			fail(name, "%v", err)
			continue
		}
		if answer.Size1 != old.Size || answer.Size2 != latest.Size {
			fail(name, "the proof is between sizes %d and %d", answer.Size1, answer.Size2)
			continue
		}
		if err := proof.VerifyConsistency(hasher, old.Size, latest.Size, hashes, old.Root, latest.Root); err != nil {
			fail(name, "proof.VerifyConsistency: %v", err)
			continue
		}
		ok(name, "%d hashes", len(hashes))
	}

	// Inclusion of the leaves, all of them or an even spread with the first and the last.
	indexes := []uint64{}
	if latest.Size <= uint64(*maxLeaves) {
		for i := uint64(0); i < latest.Size; i++ {
			indexes = append(indexes, i)
		}
	} else if *maxLeaves > 1 {
		for j := 0; j < *maxLeaves; j++ {
			indexes = append(indexes, uint64(j)*(latest.Size-1)/uint64(*maxLeaves-1))
		}
	}
	good = true
	for _, i := range indexes {
		name := fmt.Sprintf("inclusion of leaf %d", i)
		var answer struct {
			Index    uint64   `json:"index"`
			Size     uint64   `json:"size"`
			Leaf     string   `json:"leaf"`
			LeafHash string   `json:"leafHash"`
			Proof    []string `json:"proof"`
		}
		body := get(*base, prefix+"/tlog/inclusion", url.Values{"index": {strconv.FormatUint(i, 10)}, "size": {strconv.FormatUint(latest.Size, 10)}})
		if err := json.Unmarshal(body, &answer); err != nil {
			fail(name, "the answer is not JSON: %v", err)
			good = false
			continue
		}
		leaf, err := base64.StdEncoding.Strict().DecodeString(answer.Leaf)
		if err != nil {
			fail(name, "the leaf is not base64")
			good = false
			continue
		}
		hashes, err := b64s(answer.Proof)
		if err != nil {
			fail(name, "%v", err)
			good = false
			continue
		}
		if answer.Index != i || answer.Size != latest.Size {
			fail(name, "the proof is of leaf %d in a tree of %d", answer.Index, answer.Size)
			good = false
			continue
		}
		// The leaf hash is computed here from the leaf; the one the server states must agree.
		leafHash := hasher.HashLeaf(leaf)
		if base64.StdEncoding.EncodeToString(leafHash) != answer.LeafHash {
			fail(name, "the server's leafHash %s is not the RFC 6962 hash of its leaf (%s)", answer.LeafHash, base64.StdEncoding.EncodeToString(leafHash))
			good = false
			continue
		}
		if err := proof.VerifyInclusion(hasher, i, latest.Size, leafHash, hashes, latest.Root); err != nil {
			fail(name, "proof.VerifyInclusion: %v", err)
			good = false
		}
	}
	if good {
		ok("inclusion", "%d of %d leaves included under the signed root", len(indexes), latest.Size)
	}
}

// runEvent checks that one audit event (case id and seq) is in the log under the latest signed
// checkpoint and, with --hash, that its leaf is the event hash the caller holds (from a bundle or
// a history they were given).
func runEvent(args []string) {
	fs := flag.NewFlagSet("event", flag.ExitOnError)
	base := fs.String("url", "", "the API's base URL")
	authority := fs.String("authority", "", "the authority whose log holds the event")
	vkey := fs.String("vkey", "", "the authority's verifier key, obtained out of band")
	caseID := fs.String("case", "", "the id of the case (or other record) whose chain holds the event")
	seq := fs.Uint64("seq", 0, "the event's seq in that chain, from 1")
	hash := fs.String("hash", "", "the event's chain hash as you hold it (hex); checked to be the leaf")
	var witnesses multiFlag
	fs.Var(&witnesses, "witness", "a witness's cosigner vkey whose cosignature the checkpoint must carry; repeatable")
	_ = fs.Parse(args)
	if *base == "" || *authority == "" || *vkey == "" || *caseID == "" || *seq == 0 || fs.NArg() != 0 {
		fatal("usage: tlogcheck event --url URL --authority ID --vkey VKEY --case ID --seq N [--hash HEX]")
	}
	verifier, err := note.NewVerifier(*vkey)
	if err != nil {
		fatal("--vkey: %v", err)
	}
	prefix := "/transparency/" + url.PathEscape(*authority)
	c, good := openCheckpoint("checkpoint", get(*base, prefix+"/checkpoint.note", nil), verifier, witnessVerifiers(witnesses))
	if !good {
		return
	}
	ok("checkpoint", "%s, size %d, signed by %s", c.Origin, c.Size, signedBy(c))
	var answer struct {
		Index uint64   `json:"index"`
		Size  uint64   `json:"size"`
		Leaf  string   `json:"leaf"`
		Proof []string `json:"proof"`
	}
	body := get(*base, prefix+"/tlog/inclusion", url.Values{"caseId": {*caseID}, "seq": {strconv.FormatUint(*seq, 10)}, "size": {strconv.FormatUint(c.Size, 10)}})
	if err := json.Unmarshal(body, &answer); err != nil {
		fail("inclusion", "the answer is not JSON: %v", err)
		return
	}
	leaf, err1 := base64.StdEncoding.Strict().DecodeString(answer.Leaf)
	hashes, err2 := b64s(answer.Proof)
	if err1 != nil || err2 != nil || answer.Size != c.Size {
		fail("inclusion", "the answer is malformed or not for a tree of %d", c.Size)
		return
	}
	if *hash != "" && hex.EncodeToString(leaf) != strings.ToLower(*hash) {
		fail("inclusion", "the log's leaf %x is not the event hash %s you hold", leaf, *hash)
		return
	}
	hasher := rfc6962.DefaultHasher
	if err := proof.VerifyInclusion(hasher, answer.Index, c.Size, hasher.HashLeaf(leaf), hashes, c.Root); err != nil {
		fail("inclusion", "proof.VerifyInclusion: %v", err)
		return
	}
	ok("inclusion", "event %d of %s is leaf %d (%x) of the signed tree of %d", *seq, *caseID, answer.Index, leaf, c.Size)
}

// ---- court bundles ----

// bundleVkey is the verifier key of a bundle's checkpoint built from the PEM key inside it.
func bundleVkey(authorityID, pemText string) (string, error) {
	block, _ := pem.Decode([]byte(pemText))
	if block == nil {
		return "", errors.New("the bundle's publicKey is not PEM")
	}
	key, err := x509.ParsePKIXPublicKey(block.Bytes)
	if err != nil {
		return "", err
	}
	ed, isEd := key.(ed25519.PublicKey)
	if !isEd {
		return "", errors.New("the bundle's publicKey is not Ed25519")
	}
	return note.NewEd25519VerifierKey("election-casework/"+authorityID, ed)
}

func str(v any) string {
	s, _ := v.(string)
	return s
}

func num(v any) (uint64, bool) {
	n, isNum := v.(json.Number)
	if !isNum {
		return 0, false
	}
	u, err := strconv.ParseUint(string(n), 10, 64)
	return u, err == nil
}

func obj(v any) map[string]any {
	m, _ := v.(map[string]any)
	return m
}

func runBundle(args []string) {
	fs := flag.NewFlagSet("bundle", flag.ExitOnError)
	vkey := fs.String("vkey", "", "the authority's verifier key, obtained out of band; without it, the key inside the bundle (which a forger could replace)")
	var witnesses multiFlag
	fs.Var(&witnesses, "witness", "a witness's cosigner vkey whose cosignature the checkpoint note must carry; repeatable")
	_ = fs.Parse(args)
	if fs.NArg() != 1 {
		fatal("usage: tlogcheck bundle [--vkey VKEY] [--witness VKEY]... bundle.json")
	}
	data, err := os.ReadFile(fs.Arg(0))
	if err != nil {
		fatal("%v", err)
	}
	parsed, err := decodeJSON(data)
	if err != nil {
		fail("format", "the file is not JSON: %v", err)
		return
	}
	b := obj(parsed)
	if b == nil || str(b["format"]) != "election-casework-bundle/1" {
		fail("format", "not an election-casework-bundle/1")
		return
	}
	ok("format", "election-casework-bundle/1")

	// The bundle hash: SHA-256 of the canonical JSON of every member but bundleSha256.
	content := map[string]any{}
	for k, v := range b {
		if k != "bundleSha256" {
			content[k] = v
		}
	}
	canonical, err := canonicalJSON(content)
	if err != nil {
		fail("bundle hash", "%v", err)
	} else if sum := sha256.Sum256([]byte(canonical)); hex.EncodeToString(sum[:]) != str(b["bundleSha256"]) {
		fail("bundle hash", "the content hashes to %x, the bundle says %s: it was changed after export", sum, str(b["bundleSha256"]))
	} else {
		ok("bundle hash", "%s", str(b["bundleSha256"]))
	}

	// The audit chain: hash = SHA-256(previous hash in hex || "\n" || canonical JSON of the event).
	caseObj := obj(b["case"])
	caseID, authorityID := str(caseObj["id"]), str(caseObj["authorityId"])
	history := obj(b["history"])
	events, _ := history["events"].([]any)
	prev := strings.Repeat("0", 64)
	chainGood := caseID != "" && events != nil
	if !chainGood {
		fail("history chain", "the bundle has no case id or no events")
	}
	for i, raw := range events {
		if !chainGood {
			break
		}
		e := obj(raw)
		seq, _ := num(e["seq"])
		if e == nil || seq != uint64(i+1) || str(e["prevHash"]) != prev {
			fail("history chain", "event %d is missing or does not follow event %d", i+1, i)
			chainGood = false
			break
		}
		body := map[string]any{"caseId": caseID, "seq": e["seq"], "at": e["at"], "actor": e["actor"], "role": e["role"], "action": e["action"], "before": e["before"], "after": e["after"]}
		text, err := canonicalJSON(body)
		sum := sha256.Sum256([]byte(prev + "\n" + text))
		if err != nil || hex.EncodeToString(sum[:]) != str(e["hash"]) {
			fail("history chain", "event %d does not match its hash", i+1)
			chainGood = false
			break
		}
		prev = str(e["hash"])
	}
	if chainGood {
		if h, present := history["head"]; present && str(h) != prev {
			fail("history chain", "the history's head %s is not its last event's hash %s", str(h), prev)
		} else {
			ok("history chain", "%d events, head %s", len(events), prev)
		}
	}

	// Evidence: each item's SHA-256 is the one its evidence.added event recorded, and its custody
	// entries are numbered from 1 and match the custody.* events of the history, action by action.
	recorded := map[string][]map[string]any{}
	for _, raw := range events {
		e := obj(raw)
		if id := str(obj(e["after"])["evidenceId"]); id != "" {
			recorded[id+" "+str(e["action"])] = append(recorded[id+" "+str(e["action"])], e)
		}
	}
	items, _ := b["evidence"].([]any)
	evidenceProblem := ""
	for _, raw := range items {
		item := obj(raw)
		id := str(item["id"])
		added := recorded[id+" evidence.added"]
		if len(added) != 1 {
			evidenceProblem = fmt.Sprintf("item %s has %d evidence.added events, not 1", id, len(added))
		} else if str(item["kind"]) == "digital" && str(obj(added[0]["after"])["sha256"]) != str(item["sha256"]) {
			evidenceProblem = fmt.Sprintf("item %s's SHA-256 %s is not the one recorded when it was added", id, str(item["sha256"]))
		}
		custody, _ := item["custody"].([]any)
		counts := map[string]int{}
		for i, entry := range custody {
			if n, _ := num(obj(entry)["seq"]); n != uint64(i+1) {
				evidenceProblem = fmt.Sprintf("item %s's custody entry %d is missing", id, i+1)
			}
			if i > 0 {
				counts[str(obj(entry)["action"])]++
			}
		}
		for action, count := range counts {
			if len(recorded[id+" custody."+action]) != count {
				evidenceProblem = fmt.Sprintf("item %s lists %d %q custody entries, the history records %d", id, count, action, len(recorded[id+" custody."+action]))
			}
		}
		if evidenceProblem != "" {
			break
		}
	}
	if evidenceProblem != "" {
		fail("evidence and custody", "%s", evidenceProblem)
	} else {
		ok("evidence and custody", "%d items", len(items))
	}

	// The checkpoint, as a signed note. A bundle from before notes were added holds only the JSON
	// checkpoint, whose signature is over the same text: its note is rebuilt from it.
	t := obj(b["transparency"])
	cp := obj(t["checkpoint"])
	if t == nil || cp == nil {
		fail("checkpoint", "the bundle has no checkpoint")
		return
	}
	pinned := *vkey != ""
	key := *vkey
	if !pinned {
		if key, err = bundleVkey(authorityID, str(t["publicKey"])); err != nil {
			fail("checkpoint", "%v", err)
			return
		}
	}
	verifier, err := note.NewVerifier(key)
	if err != nil {
		fatal("--vkey: %v", err)
	}
	noteText := str(t["checkpointNote"])
	rebuilt := ""
	if noteText == "" {
		root, _ := hex.DecodeString(str(cp["rootHash"]))
		sig, _ := base64.StdEncoding.DecodeString(str(cp["signature"]))
		size, _ := num(cp["treeSize"])
		id := make([]byte, 4)
		binary.BigEndian.PutUint32(id, verifier.KeyHash())
		noteText = fmt.Sprintf("election-casework/%s\n%d\n%s\n%s\n\n\u2014 election-casework/%s %s\n", str(cp["authorityId"]), size, base64.StdEncoding.EncodeToString(root), str(cp["issuedAt"]), str(cp["authorityId"]), base64.StdEncoding.EncodeToString(append(id, sig...)))
		rebuilt = " (rebuilt from the JSON checkpoint: the bundle predates checkpointNote)"
	}
	c, good := openCheckpoint("checkpoint", []byte(noteText), verifier, witnessVerifiers(witnesses))
	if !good {
		return
	}
	size, _ := num(cp["treeSize"])
	if c.Origin != "election-casework/"+authorityID || c.Size != size || hex.EncodeToString(c.Root) != str(cp["rootHash"]) || len(c.Extensions) == 0 || c.Extensions[0] != str(cp["issuedAt"]) {
		fail("checkpoint", "the signed note (%s, size %d, root %x) is not the bundle's checkpoint of %s's log", c.Origin, c.Size, c.Root, authorityID)
		return
	}
	how := "pinned with --vkey"
	if !pinned {
		how = "the key inside the bundle: pin the authority's published key with --vkey"
	}
	ok("checkpoint", "%s, size %d, signed by %s; %s%s", c.Origin, c.Size, signedBy(c), how, rebuilt)

	// Every event's inclusion under the signed root.
	proofs := map[uint64]map[string]any{}
	list, _ := t["inclusionProofs"].([]any)
	for _, raw := range list {
		p := obj(raw)
		if seq, isNum := num(p["seq"]); isNum {
			proofs[seq] = p
		}
	}
	hasher := rfc6962.DefaultHasher
	for _, raw := range events {
		e := obj(raw)
		seq, _ := num(e["seq"])
		p := proofs[seq]
		if p == nil {
			fail("inclusion proofs", "event %d has no inclusion proof", seq)
			return
		}
		index, isNum := num(p["leafIndex"])
		leaf, err := hex.DecodeString(str(e["hash"]))
		var path [][]byte
		items, _ := p["auditPath"].([]any)
		for _, h := range items {
			bytes, err2 := hex.DecodeString(str(h))
			if err2 != nil {
				err = err2
			}
			path = append(path, bytes)
		}
		if !isNum || err != nil || len(leaf) != 32 {
			fail("inclusion proofs", "event %d's proof or leaf is malformed", seq)
			return
		}
		if err := proof.VerifyInclusion(hasher, index, c.Size, hasher.HashLeaf(leaf), path, c.Root); err != nil {
			fail("inclusion proofs", "event %d (leaf %d): proof.VerifyInclusion: %v", seq, index, err)
			return
		}
	}
	ok("inclusion proofs", "%d events in a log of %d", len(events), c.Size)
}
