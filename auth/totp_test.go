package auth

import (
	"bytes"
	"net/url"
	"strings"
	"testing"
	"time"
)

// rfcSecret is the SHA-1 seed of RFC 4226 appendix D and RFC 6238
// appendix B.
var rfcSecret = []byte("12345678901234567890")

func TestHOTPVectors(t *testing.T) {
	// RFC 4226 appendix D.
	for counter, want := range []string{"755224", "287082", "359152", "969429", "338314",
		"254676", "287922", "162583", "399871", "520489"} {
		if got := hotp(rfcSecret, uint64(counter), 6); got != want {
			t.Errorf("hotp(counter %d) = %s, want %s", counter, got, want)
		}
	}
}

func TestTOTPVectors(t *testing.T) {
	// RFC 6238 appendix B, SHA1 rows: 8 digits, of which TOTPCode gives
	// the last 6.
	for _, tc := range []struct {
		unix int64
		step int64
		want string
	}{
		{59, 0x1, "94287082"},
		{1111111109, 0x23523EC, "07081804"},
		{1111111111, 0x23523ED, "14050471"},
		{1234567890, 0x273EF07, "89005924"},
		{2000000000, 0x3F940AA, "69279037"},
		{20000000000, 0x27BC86AA, "65353130"},
	} {
		at := time.Unix(tc.unix, 0)
		if got := totpStep(at); got != tc.step {
			t.Errorf("totpStep(%d) = %#x, want %#x", tc.unix, got, tc.step)
		}
		if got := hotp(rfcSecret, uint64(tc.step), 8); got != tc.want {
			t.Errorf("8-digit TOTP at %d = %s, want %s", tc.unix, got, tc.want)
		}
		if got, want := TOTPCode(rfcSecret, at), tc.want[2:]; got != want {
			t.Errorf("TOTPCode(%d) = %s, want %s", tc.unix, got, want)
		}
	}
}

func TestTOTPStepBeforeEpoch(t *testing.T) {
	for _, tc := range []struct{ unix, step int64 }{{0, 0}, {29, 0}, {30, 1}, {-1, -1}, {-30, -1}, {-31, -2}} {
		if got := totpStep(time.Unix(tc.unix, 0)); got != tc.step {
			t.Errorf("totpStep(%d) = %d, want %d", tc.unix, got, tc.step)
		}
	}
}

func TestVerifyTOTP(t *testing.T) {
	now := time.Unix(1234567890, 0) // step 0x273EF07
	const cur = 0x273EF07
	code := func(step int64) string { return hotp(rfcSecret, uint64(step), 6) }
	for _, tc := range []struct {
		name     string
		secret   []byte
		code     string
		lastStep int64
		step     int64
		ok       bool
	}{
		{"current", rfcSecret, "005924", 0, cur, true},
		{"previous step", rfcSecret, code(cur - 1), 0, cur - 1, true},
		{"next step", rfcSecret, code(cur + 1), 0, cur + 1, true},
		{"two steps ago", rfcSecret, code(cur - 2), 0, 0, false},
		{"two steps ahead", rfcSecret, code(cur + 2), 0, 0, false},
		{"with spaces", rfcSecret, " 005 924 ", 0, cur, true},
		{"replayed", rfcSecret, "005924", cur, 0, false},
		{"after an older one", rfcSecret, "005924", cur - 1, cur, true},
		{"previous step after the current one", rfcSecret, code(cur - 1), cur, 0, false},
		{"next step after the current one", rfcSecret, code(cur + 1), cur, cur + 1, true},
		{"wrong", rfcSecret, "005925", 0, 0, false},
		{"8 digits", rfcSecret, "89005924", 0, 0, false},
		{"5 digits", rfcSecret, "05924", 0, 0, false},
		{"letters", rfcSecret, "00592a", 0, 0, false},
		{"sign", rfcSecret, "+05924", 0, 0, false},
		{"Arabic-Indic digits", rfcSecret, "٠٠٥٩٢٤", 0, 0, false},
		{"tab", rfcSecret, "005\t924", 0, 0, false},
		{"empty", rfcSecret, "", 0, 0, false},
		{"long input", rfcSecret, "005924" + strings.Repeat(" ", 40), 0, 0, false},
		{"other secret", []byte("01234567890123456789"), "005924", 0, 0, false},
		{"no secret", nil, hotp(nil, cur, 6), 0, 0, false},
	} {
		step, ok := VerifyTOTP(tc.secret, tc.code, now, tc.lastStep)
		if step != tc.step || ok != tc.ok {
			t.Errorf("%s: VerifyTOTP(%q) = %#x, %v, want %#x, %v", tc.name, tc.code, step, ok, tc.step, tc.ok)
		}
	}
}

func TestNewTOTPSecret(t *testing.T) {
	a, err := NewTOTPSecret()
	if err != nil {
		t.Fatal(err)
	}
	b, _ := NewTOTPSecret()
	if len(a) != 20 || bytes.Equal(a, b) {
		t.Errorf("NewTOTPSecret() = %x, then %x: want 20 random bytes", a, b)
	}
	now := time.Now()
	if step, ok := VerifyTOTP(a, TOTPCode(a, now), now, 0); !ok || step != totpStep(now) {
		t.Errorf("VerifyTOTP(TOTPCode(now)) = %d, %v", step, ok)
	}
}

func TestTOTPURI(t *testing.T) {
	for _, tc := range []struct{ issuer, account, want string }{
		{"Một cửa Hà Nội", "an.nv@hanoi.gov.vn",
			"otpauth://totp/M%E1%BB%99t%20c%E1%BB%ADa%20H%C3%A0%20N%E1%BB%99i:an.nv@hanoi.gov.vn?secret=GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ&issuer=M%E1%BB%99t%20c%E1%BB%ADa%20H%C3%A0%20N%E1%BB%99i&algorithm=SHA1&digits=6&period=30"},
		{"a:b&c", "x y+z",
			"otpauth://totp/a%3Ab%26c:x%20y%2Bz?secret=GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ&issuer=a%3Ab%26c&algorithm=SHA1&digits=6&period=30"},
		{"", "an", "otpauth://totp/an?secret=GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ&algorithm=SHA1&digits=6&period=30"},
	} {
		got := TOTPURI(tc.issuer, tc.account, rfcSecret)
		if got != tc.want {
			t.Errorf("TOTPURI(%q, %q) =\n%s, want\n%s", tc.issuer, tc.account, got, tc.want)
		}
		u, err := url.Parse(got)
		if err != nil {
			t.Fatal(err)
		}
		label := tc.account
		if tc.issuer != "" {
			label = tc.issuer + ":" + tc.account
		}
		if u.Scheme != "otpauth" || u.Host != "totp" || u.Path != "/"+label || u.Query().Get("issuer") != tc.issuer {
			t.Errorf("TOTPURI(%q, %q) parses as %s %s %q issuer %q", tc.issuer, tc.account, u.Scheme, u.Host, u.Path, u.Query().Get("issuer"))
		}
	}
}

func FuzzVerifyTOTP(f *testing.F) {
	for _, s := range []string{"005924", " 005 924 ", "89005924", "", "٠٠٥٩٢٤", "00592a", "\x00\xff"} {
		f.Add(s, int64(0))
	}
	f.Add("005924", int64(0x273EF07))
	now := time.Unix(1234567890, 0)
	f.Fuzz(func(t *testing.T, code string, lastStep int64) {
		step, ok := VerifyTOTP(rfcSecret, code, now, lastStep)
		if !ok {
			if step != 0 {
				t.Fatalf("VerifyTOTP(%q) refused with step %d", code, step)
			}
			return
		}
		digits := strings.ReplaceAll(code, " ", "")
		if step <= lastStep || step < totpStep(now)-1 || step > totpStep(now)+1 || hotp(rfcSecret, uint64(step), 6) != digits {
			t.Fatalf("VerifyTOTP(%q, last %d) accepted step %d", code, lastStep, step)
		}
	})
}
