package auth

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"golang.org/x/text/unicode/norm"

	"motcua"
)

// fastParams keeps the tests quick, under the race detector too.
var fastParams = Params{Memory: 64, Time: 1, Threads: 1, SaltLen: 16, KeyLen: 32}

func TestParamsValidate(t *testing.T) {
	for _, tc := range []struct {
		name string
		p    Params
		ok   bool
	}{
		{"default", DefaultParams(), true},
		{"fast", fastParams, true},
		{"no lanes", Params{Memory: 64, Time: 1, Threads: 0, SaltLen: 16, KeyLen: 32}, false},
		{"memory below 8 KiB a lane", Params{Memory: 15, Time: 1, Threads: 2, SaltLen: 16, KeyLen: 32}, false},
		{"memory 1 GiB", Params{Memory: 1 << 20, Time: 1, Threads: 1, SaltLen: 16, KeyLen: 32}, true},
		{"memory above 1 GiB", Params{Memory: 1<<20 + 1, Time: 1, Threads: 1, SaltLen: 16, KeyLen: 32}, false},
		{"no pass", Params{Memory: 64, Time: 0, Threads: 1, SaltLen: 16, KeyLen: 32}, false},
		{"101 passes", Params{Memory: 64, Time: 101, Threads: 1, SaltLen: 16, KeyLen: 32}, false},
		{"salt of 7", Params{Memory: 64, Time: 1, Threads: 1, SaltLen: 7, KeyLen: 32}, false},
		{"salt of 65", Params{Memory: 64, Time: 1, Threads: 1, SaltLen: 65, KeyLen: 32}, false},
		{"key of 15", Params{Memory: 64, Time: 1, Threads: 1, SaltLen: 16, KeyLen: 15}, false},
		{"key of 65", Params{Memory: 64, Time: 1, Threads: 1, SaltLen: 16, KeyLen: 65}, false},
	} {
		if err := tc.p.Validate(); (err == nil) != tc.ok {
			t.Errorf("%s: Validate() = %v, want ok %v", tc.name, err, tc.ok)
		}
	}
}

func TestNewHasherPanicsOnBadParams(t *testing.T) {
	defer func() {
		if recover() == nil {
			t.Error("NewHasher accepted parameters with no lanes")
		}
	}()
	NewHasher(Params{Memory: 64, Time: 1, SaltLen: 16, KeyLen: 32}, 1)
}

func TestHashVerify(t *testing.T) {
	ctx := context.Background()
	h := NewHasher(fastParams, 2)
	enc, err := h.Hash(ctx, "đúng ngựa pin kẹp giấy")
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(enc, "$argon2id$v=19$m=64,t=1,p=1$") {
		t.Errorf("Hash() = %q, want the PHC string of argon2id m=64,t=1,p=1", enc)
	}
	if again, _ := h.Hash(ctx, "đúng ngựa pin kẹp giấy"); again == enc {
		t.Error("two hashes of the same password are equal: the salt is not random")
	}
	p, salt, key, err := ParseHash(enc)
	if err != nil || p != fastParams || len(salt) != 16 || len(key) != 32 {
		t.Fatalf("ParseHash(Hash()) = %+v, %d-byte salt, %d-byte key, %v", p, len(salt), len(key), err)
	}
	stronger := NewHasher(Params{Memory: 128, Time: 1, Threads: 1, SaltLen: 16, KeyLen: 32}, 1)
	for _, tc := range []struct {
		name     string
		h        *Hasher
		password string
		ok       bool
		rehash   bool
	}{
		{"same", h, "đúng ngựa pin kẹp giấy", true, false},
		{"decomposed diacritics", h, norm.NFD.String("đúng ngựa pin kẹp giấy"), true, false},
		{"other case", h, "Đúng ngựa pin kẹp giấy", false, false},
		{"without diacritics", h, "dung ngua pin kep giay", false, false},
		{"empty", h, "", false, false},
		{"stronger hasher", stronger, "đúng ngựa pin kẹp giấy", true, true},
		{"stronger hasher, wrong password", stronger, "sai", false, false},
	} {
		ok, rehash, err := tc.h.Verify(ctx, enc, tc.password)
		if err != nil || ok != tc.ok || rehash != tc.rehash {
			t.Errorf("%s: Verify() = %v, %v, %v, want %v, %v, nil", tc.name, ok, rehash, err, tc.ok, tc.rehash)
		}
	}
	if _, _, err := h.Verify(ctx, "$argon2i$v=19$m=64,t=1,p=1$c29tZXNhbHQ$c29tZXNhbHRzb21lc2FsdA", "x"); err == nil {
		t.Error("Verify accepted an argon2i hash")
	}
}

// TestHasherLimit checks that a Hasher runs no more hashes than allowed
// and gives up waiting when the context ends.
func TestHasherLimit(t *testing.T) {
	h := NewHasher(fastParams, 1)
	enc, err := h.Hash(context.Background(), "a long enough password")
	if err != nil {
		t.Fatal(err)
	}
	h.sem <- struct{}{} // the only slot is taken

	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Millisecond)
	defer cancel()
	if _, err := h.Hash(ctx, "x"); !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("Hash while full = %v, want the context's deadline", err)
	}
	if ok, _, err := h.Verify(ctx, enc, "a long enough password"); ok || !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("Verify while full = %v, %v, want false and the context's deadline", ok, err)
	}
	h.Dummy(ctx, "x") // returns instead of waiting for ever

	done := make(chan error)
	go func() {
		_, err := h.Hash(context.Background(), "x")
		done <- err
	}()
	select {
	case err := <-done:
		t.Fatalf("Hash ran while the slot was taken (err %v)", err)
	case <-time.After(30 * time.Millisecond):
	}
	h.release()
	if err := <-done; err != nil {
		t.Fatal(err)
	}

	canceled, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := h.Hash(canceled, "x"); !errors.Is(err, context.Canceled) {
		t.Errorf("Hash with a canceled context = %v, want context.Canceled", err)
	}
}

func TestDummy(t *testing.T) {
	h := NewHasher(fastParams, 1)
	h.Dummy(context.Background(), "anything")
	if len(h.sem) != 0 {
		t.Error("Dummy kept its slot")
	}
}

func TestParseHash(t *testing.T) {
	const salt, key = "c29tZXNhbHRzb21lc2FsdA", "MTIzNDU2Nzg5MDEyMzQ1Njc4OTAxMjM0NTY3ODkwMTI"
	valid := "$argon2id$v=19$m=65536,t=3,p=2$" + salt + "$" + key
	p, s, k, err := ParseHash(valid)
	if err != nil {
		t.Fatal(err)
	}
	if want := (Params{Memory: 65536, Time: 3, Threads: 2, SaltLen: 16, KeyLen: 32}); p != want ||
		string(s) != "somesaltsomesalt" || string(k) != "12345678901234567890123456789012" {
		t.Errorf("ParseHash() = %+v, %q, %q", p, s, k)
	}
	if got := encodeHash(p, s, k); got != valid {
		t.Errorf("encodeHash(ParseHash(%q)) = %q", valid, got)
	}
	for _, tc := range []struct{ name, enc string }{
		{"empty", ""},
		{"argon2i", "$argon2i$v=19$m=65536,t=3,p=2$" + salt + "$" + key},
		{"bcrypt", "$2b$12$R9h/cIPz0gi.URNNX3kh2OPST9/PgBkqquzi.Ss7KIUgO2t0jWMUW"},
		{"version 16", "$argon2id$v=16$m=65536,t=3,p=2$" + salt + "$" + key},
		{"no version", "$argon2id$m=65536,t=3,p=2$" + salt + "$" + key},
		{"extra part", "$argon2id$v=19$m=65536,t=3,p=2$" + salt + "$" + key + "$"},
		{"no leading dollar", "argon2id$v=19$m=65536,t=3,p=2$" + salt + "$" + key + "$"},
		{"parameters reordered", "$argon2id$v=19$t=3,m=65536,p=2$" + salt + "$" + key},
		{"extra parameter", "$argon2id$v=19$m=65536,t=3,p=2,k=1$" + salt + "$" + key},
		{"memory above 1 GiB", "$argon2id$v=19$m=1048577,t=3,p=2$" + salt + "$" + key},
		{"huge memory", "$argon2id$v=19$m=99999999999999999999999,t=3,p=2$" + salt + "$" + key},
		{"memory below 8 KiB a lane", "$argon2id$v=19$m=15,t=3,p=2$" + salt + "$" + key},
		{"101 passes", "$argon2id$v=19$m=65536,t=101,p=2$" + salt + "$" + key},
		{"no pass", "$argon2id$v=19$m=65536,t=0,p=2$" + salt + "$" + key},
		{"no lane", "$argon2id$v=19$m=65536,t=3,p=0$" + salt + "$" + key},
		{"256 lanes", "$argon2id$v=19$m=65536,t=3,p=256$" + salt + "$" + key},
		{"leading zero", "$argon2id$v=19$m=065536,t=3,p=2$" + salt + "$" + key},
		{"sign", "$argon2id$v=19$m=+65536,t=3,p=2$" + salt + "$" + key},
		{"negative", "$argon2id$v=19$m=65536,t=-3,p=2$" + salt + "$" + key},
		{"empty number", "$argon2id$v=19$m=,t=3,p=2$" + salt + "$" + key},
		{"salt of 7 bytes", "$argon2id$v=19$m=65536,t=3,p=2$c29tZXNhbA$" + key},
		{"salt padded", "$argon2id$v=19$m=65536,t=3,p=2$" + salt + "==$" + key},
		{"salt in URL alphabet", "$argon2id$v=19$m=65536,t=3,p=2$c29tZXNhbHRzb21lc2Fs_A$" + key},
		{"line break in salt", "$argon2id$v=19$m=65536,t=3,p=2$c29tZXNhbHR\r\nzb21lc2FsdA$" + key},
		{"stray bits in salt", "$argon2id$v=19$m=65536,t=3,p=2$c29tZXNhbHRzb21lc2FsdB$" + key},
		{"key of 15 bytes", "$argon2id$v=19$m=65536,t=3,p=2$" + salt + "$MTIzNDU2Nzg5MDEyMzQ1"},
		{"no key", "$argon2id$v=19$m=65536,t=3,p=2$" + salt + "$"},
		{"too long", "$argon2id$v=19$m=65536,t=3,p=2$" + salt + "$" + strings.Repeat("A", 300)},
	} {
		if p, _, _, err := ParseHash(tc.enc); err == nil {
			t.Errorf("%s: ParseHash(%q) = %+v, want an error", tc.name, tc.enc, p)
		}
	}
}

func FuzzParseHash(f *testing.F) {
	for _, s := range []string{
		"$argon2id$v=19$m=65536,t=3,p=2$c29tZXNhbHRzb21lc2FsdA$MTIzNDU2Nzg5MDEyMzQ1Njc4OTAxMjM0NTY3ODkwMTI",
		"$argon2id$v=19$m=8,t=1,p=1$c29tZXNhbHQ$MTIzNDU2Nzg5MDEyMzQ1Ng",
		"$argon2id$v=19$m=1048576,t=100,p=255$c29tZXNhbHQ$MTIzNDU2Nzg5MDEyMzQ1Ng",
		"$argon2i$v=19$m=65536,t=2,p=4$c29tZXNhbHQ$RdescudvJCsgt3ub+b+dWRWJTmaaJObG",
		"$argon2id$v=19$m=065536,t=3,p=2$c29tZXNhbHQ$MTIzNDU2Nzg5MDEyMzQ1Ng",
		"$argon2id$v=19$m=65536,t=3,p=2$c29tZXNhbHQ=$MTIzNDU2Nzg5MDEyMzQ1Ng",
		"$argon2id$v=19$m=65536,t=3,p=2,x=1$$",
		"$argon2id$v=19$m=8,t=1,p=1$000000000\r00$000000000000000000000A",
		"$$$$$",
		"",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, enc string) {
		p, salt, key, err := ParseHash(enc)
		if err != nil {
			return
		}
		if err := p.Validate(); err != nil {
			t.Fatalf("ParseHash(%q) accepted invalid parameters: %v", enc, err)
		}
		if int(p.SaltLen) != len(salt) || int(p.KeyLen) != len(key) {
			t.Fatalf("ParseHash(%q): lengths %d, %d for a %d-byte salt and a %d-byte key", enc, p.SaltLen, p.KeyLen, len(salt), len(key))
		}
		if again := encodeHash(p, salt, key); again != enc {
			t.Fatalf("ParseHash(%q) re-encodes as %q", enc, again)
		}
	})
}

func TestCheckPassword(t *testing.T) {
	for _, tc := range []struct {
		name     string
		password string
		context  []string
		reason   string // "" when accepted
	}{
		{"12 characters", "xkcd-horse-9", nil, ""},
		{"passphrase", "con ngựa đúng pin kẹp giấy", nil, ""},
		{"only digits but not common", "905172846301", nil, ""},
		{"11 characters", "xkcd-horse9", nil, "too_short"},
		{"14 bytes, 9 characters", "ngựađẹp12", nil, "too_short"},
		{"11 characters, 14 in NFD", norm.NFD.String("mưa rơi ngõ"), nil, "too_short"},
		{"15 characters in NFD", norm.NFD.String("mưa rơi ngõ nhỏ"), nil, ""},
		{"empty", "", nil, "too_short"},
		{"128 characters", strings.Repeat("ố", 128), nil, ""},
		{"129 characters", strings.Repeat("a", 129), nil, motcua.FieldTooLong},
		{"invalid UTF-8", "abcdefghijkl\xff", nil, motcua.FieldFormat},
		{"common", "123456789012", nil, "common"},
		{"common in upper case", "PasswordPassword", nil, "common"},
		{"common with diacritics", "Mật khẩu của tôi", nil, "common"},
		{"Vietnamese common", "anhyeuem123456", nil, "common"},
		{"contains user name", "xyz-nguyenvana-2024", []string{"NguyenVanA"}, "contains_name"},
		{"contains full name", "Nguyễn Văn Bình 1990!", []string{"binh.nv", "Nguyễn Văn Bình"}, "contains_name"},
		{"contains e-mail local part", "my.binhnv.secret!", []string{"binhnv@hanoi.gov.vn"}, "contains_name"},
		{"short context ignored", "bob-the-builder-99", []string{"bob"}, ""},
		{"empty context ignored", "a perfectly fine one", []string{"", "   "}, ""},
	} {
		err := CheckPassword(tc.password, tc.context...)
		if tc.reason == "" {
			if err != nil {
				t.Errorf("%s: CheckPassword(%q) = %v, want nil", tc.name, tc.password, err)
			}
			continue
		}
		var e *motcua.Error
		if !errors.As(err, &e) || e.Code != motcua.EINVALID || len(e.Fields) != 1 ||
			e.Fields[0].Field != "password" || e.Fields[0].Reason != tc.reason || e.Fields[0].Message == "" {
			t.Errorf("%s: CheckPassword(%q) = %#v, want EINVALID with password %s", tc.name, tc.password, err, tc.reason)
		}
	}
}

func TestCommonPasswordsList(t *testing.T) {
	if !strings.HasSuffix(commonPasswords, "\n") || strings.Contains(commonPasswords, "\r") {
		t.Fatal("common-passwords.txt must end with a newline and use LF line ends")
	}
	lines := strings.Split(strings.TrimSuffix(commonPasswords, "\n"), "\n")
	if len(lines) < 200 {
		t.Errorf("common-passwords.txt has %d passwords, want at least 200", len(lines))
	}
	seen := map[string]bool{}
	for i, l := range lines {
		switch {
		case l == "" || l != motcua.Fold(l):
			t.Errorf("line %d %q is not in folded form (lower case, no diacritics, single spaces)", i+1, l)
		case seen[l]:
			t.Errorf("line %d %q is repeated", i+1, l)
		}
		seen[l] = true
		if !isCommonPassword(l) {
			t.Errorf("isCommonPassword(%q) = false", l)
		}
	}
	for _, s := range []string{"", "12345\n123456", "123456\n", "23456", "1234567890x"} {
		if isCommonPassword(s) {
			t.Errorf("isCommonPassword(%q) = true", s)
		}
	}
}
