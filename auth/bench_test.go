package auth

import (
	"context"
	"testing"
	"time"
)

// BenchmarkHash measures one password hash with DefaultParams, the cost
// of every sign-in: aim for 50 to 250 ms.
func BenchmarkHash(b *testing.B) {
	h := NewHasher(DefaultParams(), 1)
	ctx := context.Background()
	for b.Loop() {
		if _, err := h.Hash(ctx, "con ngựa đúng pin kẹp giấy"); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkVerifyTOTP(b *testing.B) {
	now := time.Unix(1234567890, 0)
	code := TOTPCode(rfcSecret, now)
	for b.Loop() {
		if _, ok := VerifyTOTP(rfcSecret, code, now, 0); !ok {
			b.Fatal("refused")
		}
	}
}

func BenchmarkHashToken(b *testing.B) {
	tok, _, err := NewToken(SessionTokenPrefix)
	if err != nil {
		b.Fatal(err)
	}
	for b.Loop() {
		HashToken(tok)
	}
}
