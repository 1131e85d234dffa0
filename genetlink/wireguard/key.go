package wireguard

import (
	"crypto/ecdh"
	"crypto/rand"
	"encoding/base64"
	"fmt"
)

// KeyLen is the length of a WireGuard key in bytes.
const KeyLen = 32

// Key is a WireGuard key: a Curve25519 private or public key, or a
// preshared key. Its text form is base64, as wg(8) prints and reads it.
type Key [KeyLen]byte

// String returns k in base64, as wg(8) prints it.
func (k Key) String() string { return base64.StdEncoding.EncodeToString(k[:]) }

// IsZero reports whether k is all zeros: no key.
func (k Key) IsZero() bool { return k == Key{} }

// ParseKey reads a key in base64, as wg genkey writes it.
func ParseKey(s string) (Key, error) {
	var k Key
	b, err := base64.StdEncoding.DecodeString(s)
	if err != nil {
		return k, fmt.Errorf("wireguard: key %q: %w", s, err)
	}
	if len(b) != KeyLen {
		return k, fmt.Errorf("wireguard: key %q is %d bytes, not %d", s, len(b), KeyLen)
	}
	copy(k[:], b)
	return k, nil
}

// NewKey returns a key from a slice of KeyLen bytes.
func NewKey(b []byte) (Key, error) {
	var k Key
	if len(b) != KeyLen {
		return k, fmt.Errorf("wireguard: key of %d bytes, not %d", len(b), KeyLen)
	}
	copy(k[:], b)
	return k, nil
}

// GeneratePrivateKey returns a new private key from crypto/rand, clamped
// as Curve25519 uses it (wg genkey).
func GeneratePrivateKey() (Key, error) {
	k, err := GenerateKey()
	if err != nil {
		return k, err
	}
	k[0] &= 248
	k[31] = k[31]&127 | 64
	return k, nil
}

// GenerateKey returns KeyLen random bytes from crypto/rand: a preshared
// key (wg genpsk).
func GenerateKey() (Key, error) {
	var k Key
	if _, err := rand.Read(k[:]); err != nil {
		return k, fmt.Errorf("wireguard: generating a key: %w", err)
	}
	return k, nil
}

// PublicKey returns the public key of k, a private key (wg pubkey): the
// X25519 function of k and the base point, with crypto/ecdh.
func (k Key) PublicKey() Key {
	priv, err := ecdh.X25519().NewPrivateKey(k[:])
	if err != nil {
		panic("wireguard: X25519 refuses a 32-byte key: " + err.Error()) // it takes any 32 bytes
	}
	var pub Key
	copy(pub[:], priv.PublicKey().Bytes())
	return pub
}
