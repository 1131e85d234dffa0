package xfrm

import (
	"encoding/binary"
	"fmt"
	"slices"
)

// Algorithm is struct xfrm_algo: an encryption algorithm (XFRMA_ALG_CRYPT)
// or a compression algorithm (XFRMA_ALG_COMP, without a key), by its
// kernel crypto API name ("cbc(aes)", "deflate").
type Algorithm struct {
	Name string
	Key  []byte
	// KeyBits is alg_key_len, the key's length in bits, when it is not
	// 8*len(Key): a key whose last byte is partly used. Zero otherwise.
	KeyBits uint32
}

// AuthAlgorithm is struct xfrm_algo_auth: an authentication algorithm
// ("hmac(sha256)") with its key and the length in bits of the
// authentication data it sends (the truncated ICV). TruncLen 0 sends
// XFRMA_ALG_AUTH, for which the kernel picks the algorithm's default
// truncation (96 bits for hmac(sha256), as RFC 2104 implementations did);
// any other value sends XFRMA_ALG_AUTH_TRUNC. Listings report the
// truncation the SA uses.
type AuthAlgorithm struct {
	Name     string
	Key      []byte
	KeyBits  uint32 // as Algorithm's
	TruncLen uint32
}

// AEADAlgorithm is struct xfrm_algo_aead (XFRMA_ALG_AEAD): a combined mode
// such as "rfc4106(gcm(aes))", with its key (salt included) and its ICV
// length in bits.
type AEADAlgorithm struct {
	Name    string
	Key     []byte
	KeyBits uint32 // as Algorithm's
	ICVLen  uint32
}

// putAlgoName writes name in b[:64], NUL padded.
func putAlgoName(b []byte, name string) {
	clear(b[:algoNameLen])
	copy(b[:algoNameLen-1], name)
}

// algoName reads the NUL-terminated name in b[:64], of 63 bytes at most
// (the kernel ends it at the last byte).
func algoName(b []byte) string {
	b = b[:algoNameLen-1]
	if i := slices.Index(b, 0); i >= 0 {
		b = b[:i]
	}
	return string(b)
}

// cloneKey copies a key; no key is nil.
func cloneKey(k []byte) []byte {
	if len(k) == 0 {
		return nil
	}
	return slices.Clone(k)
}

// keyBytes is how many bytes a key of bits bits takes.
func keyBytes(bits uint32) int { return int((uint64(bits) + 7) / 8) }

// keyLen is alg_key_len of key with KeyBits bits: bits, or 8*len(key)
// when bits is 0.
func keyLen(key []byte, bits uint32) uint32 {
	if bits != 0 {
		return bits
	}
	return uint32(8 * len(key))
}

// keyBitsOf is what KeyBits keeps of alg_key_len bits: bits when the key
// is not whole bytes, else 0.
func keyBitsOf(bits uint32) uint32 {
	if bits%8 != 0 {
		return bits
	}
	return 0
}

// checkKeyBits refuses a KeyBits that does not fit the key's bytes.
func checkKeyBits(what string, key []byte, bits uint32) error {
	if bits != 0 && keyBytes(bits) != len(key) {
		return fmt.Errorf("%s key of %d bytes with KeyBits %d, want %d bytes", what, len(key), bits, keyBytes(bits))
	}
	return nil
}

func (a Algorithm) bytes() []byte {
	b := make([]byte, algoLen+len(a.Key))
	putAlgoName(b, a.Name)
	binary.NativeEndian.PutUint32(b[64:], keyLen(a.Key, a.KeyBits))
	copy(b[algoLen:], a.Key)
	return b
}

func parseAlgorithm(b []byte) (Algorithm, error) {
	if len(b) < algoLen {
		return Algorithm{}, malformed("struct xfrm_algo of %d bytes", len(b))
	}
	bits := binary.NativeEndian.Uint32(b[64:])
	n := keyBytes(bits)
	if len(b) < algoLen+n {
		return Algorithm{}, malformed("xfrm_algo key of %d bytes in %d", n, len(b)-algoLen)
	}
	return Algorithm{Name: algoName(b), Key: cloneKey(b[algoLen : algoLen+n]), KeyBits: keyBitsOf(bits)}, nil
}

func (a AuthAlgorithm) bytes() []byte {
	b := make([]byte, algoAuthLen+len(a.Key))
	putAlgoName(b, a.Name)
	binary.NativeEndian.PutUint32(b[64:], keyLen(a.Key, a.KeyBits))
	binary.NativeEndian.PutUint32(b[68:], a.TruncLen)
	copy(b[algoAuthLen:], a.Key)
	return b
}

func parseAuthAlgorithm(b []byte) (AuthAlgorithm, error) {
	if len(b) < algoAuthLen {
		return AuthAlgorithm{}, malformed("struct xfrm_algo_auth of %d bytes", len(b))
	}
	bits := binary.NativeEndian.Uint32(b[64:])
	n := keyBytes(bits)
	if len(b) < algoAuthLen+n {
		return AuthAlgorithm{}, malformed("xfrm_algo_auth key of %d bytes in %d", n, len(b)-algoAuthLen)
	}
	return AuthAlgorithm{Name: algoName(b), TruncLen: binary.NativeEndian.Uint32(b[68:]),
		Key: cloneKey(b[algoAuthLen : algoAuthLen+n]), KeyBits: keyBitsOf(bits)}, nil
}

func (a AEADAlgorithm) bytes() []byte {
	b := make([]byte, algoAEADLen+len(a.Key))
	putAlgoName(b, a.Name)
	binary.NativeEndian.PutUint32(b[64:], keyLen(a.Key, a.KeyBits))
	binary.NativeEndian.PutUint32(b[68:], a.ICVLen)
	copy(b[algoAEADLen:], a.Key)
	return b
}

func parseAEADAlgorithm(b []byte) (AEADAlgorithm, error) {
	if len(b) < algoAEADLen {
		return AEADAlgorithm{}, malformed("struct xfrm_algo_aead of %d bytes", len(b))
	}
	bits := binary.NativeEndian.Uint32(b[64:])
	n := keyBytes(bits)
	if len(b) < algoAEADLen+n {
		return AEADAlgorithm{}, malformed("xfrm_algo_aead key of %d bytes in %d", n, len(b)-algoAEADLen)
	}
	return AEADAlgorithm{Name: algoName(b), ICVLen: binary.NativeEndian.Uint32(b[68:]),
		Key: cloneKey(b[algoAEADLen : algoAEADLen+n]), KeyBits: keyBitsOf(bits)}, nil
}

// The key lengths (in bits) of the ciphers and AEADs the kernel's
// xfrm_algo.c lists, where the cipher fixes them: a key of another length
// is refused before it is sent. Algorithms not listed go to the kernel
// unchecked.
var cryptKeyBits = map[string][]int{
	"ecb(cipher_null)":  {0},
	"cbc(des)":          {64},
	"cbc(des3_ede)":     {192},
	"cbc(aes)":          {128, 192, 256},
	"cbc(camellia)":     {128, 192, 256},
	"cbc(sm4)":          {128},
	"rfc3686(ctr(aes))": {160, 224, 288}, // the AES key and a 32-bit nonce
}

type aeadSizes struct{ key, icv []int }

var aeadBits = map[string]aeadSizes{
	"rfc4106(gcm(aes))":             {[]int{160, 224, 288}, []int{64, 96, 128}}, // key and a 32-bit salt
	"rfc4309(ccm(aes))":             {[]int{152, 216, 280}, []int{64, 96, 128}}, // key and a 24-bit salt
	"rfc4543(gcm(aes))":             {[]int{160, 224, 288}, []int{128}},
	"rfc7539esp(chacha20,poly1305)": {[]int{288}, []int{128}},
}

// authBits are the digest sizes of the authentication algorithms, the
// most TruncLen may be, and the key length of those that fix one.
var authBits = map[string]struct{ digest, key int }{
	"digest_null":  {0, 0},
	"hmac(md5)":    {128, -1},
	"hmac(sha1)":   {160, -1},
	"hmac(sha256)": {256, -1},
	"hmac(sha384)": {384, -1},
	"hmac(sha512)": {512, -1},
	"hmac(rmd160)": {160, -1},
	"hmac(sm3)":    {256, -1},
	"xcbc(aes)":    {128, 128},
	"cmac(aes)":    {128, 128},
}

func checkName(what, name string) error {
	switch {
	case name == "":
		return fmt.Errorf("%s algorithm without a name", what)
	case len(name) >= algoNameLen:
		return fmt.Errorf("%s algorithm name %q longer than %d bytes", what, name, algoNameLen-1)
	}
	return nil
}

func (a *Algorithm) checkCrypt() error {
	if err := checkName("encryption", a.Name); err != nil {
		return err
	}
	if err := checkKeyBits("encryption "+a.Name, a.Key, a.KeyBits); err != nil {
		return err
	}
	if bits, ok := cryptKeyBits[a.Name]; ok && !slices.Contains(bits, int(keyLen(a.Key, a.KeyBits))) {
		return fmt.Errorf("encryption %s: a %d-bit key, want %s bits", a.Name, keyLen(a.Key, a.KeyBits), bitList(bits))
	}
	return nil
}

func (a *AuthAlgorithm) check() error {
	if err := checkName("authentication", a.Name); err != nil {
		return err
	}
	if err := checkKeyBits("authentication "+a.Name, a.Key, a.KeyBits); err != nil {
		return err
	}
	bits, ok := authBits[a.Name]
	if !ok {
		return nil
	}
	if n := int(keyLen(a.Key, a.KeyBits)); bits.key >= 0 && n != bits.key {
		return fmt.Errorf("authentication %s: a %d-bit key, want %d bits", a.Name, n, bits.key)
	}
	if int(a.TruncLen) > bits.digest {
		return fmt.Errorf("authentication %s: truncation to %d bits, longer than its %d-bit digest", a.Name, a.TruncLen, bits.digest)
	}
	return nil
}

func (a *AEADAlgorithm) check() error {
	if err := checkName("aead", a.Name); err != nil {
		return err
	}
	if err := checkKeyBits("aead "+a.Name, a.Key, a.KeyBits); err != nil {
		return err
	}
	s, ok := aeadBits[a.Name]
	if !ok {
		return nil
	}
	if n := int(keyLen(a.Key, a.KeyBits)); !slices.Contains(s.key, n) {
		return fmt.Errorf("aead %s: a %d-bit key, want %s bits", a.Name, n, bitList(s.key))
	}
	if !slices.Contains(s.icv, int(a.ICVLen)) {
		return fmt.Errorf("aead %s: an ICV of %d bits, want %s", a.Name, a.ICVLen, bitList(s.icv))
	}
	return nil
}

func bitList(bits []int) string {
	s := ""
	for i, b := range bits {
		switch {
		case i == 0:
		case i == len(bits)-1:
			s += " or "
		default:
			s += ", "
		}
		s += fmt.Sprint(b)
	}
	return s
}
