package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"motcua/internal/testkit"
)

const testToken = "test-admin-token"

// buildBinary builds cmd/motcua once per test binary run.
var buildBinary = sync.OnceValues(func() (string, error) {
	dir, err := os.MkdirTemp("", "motcua-bin-")
	if err != nil {
		return "", err
	}
	bin := filepath.Join(dir, "motcua")
	out, err := exec.Command("go", "build", "-o", bin, ".").CombinedOutput()
	if err != nil {
		return "", fmt.Errorf("go build: %v\n%s", err, out)
	}
	return bin, nil
})

// server is a motcua serve process started by a test.
type server struct {
	cmd *exec.Cmd
	url string
	out *bytes.Buffer
}

// startServer runs the binary's serve with args and waits for its URL.
func startServer(t *testing.T, args ...string) *server {
	t.Helper()
	bin, err := buildBinary()
	if err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(bin, append([]string{"serve", "--addr", "127.0.0.1:0"}, args...)...)
	cmd.Env = append(os.Environ(), "MOTCUA_ADMIN_TOKEN="+testToken)
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	s := &server{cmd: cmd, out: &stderr}
	t.Cleanup(func() { s.kill() })
	urls := make(chan string, 1)
	go func() {
		sc := bufio.NewScanner(stdout)
		for sc.Scan() {
			if _, u, ok := strings.Cut(sc.Text(), " serving on "); ok {
				urls <- u
			}
		}
		close(urls)
	}()
	select {
	case u, ok := <-urls:
		if !ok {
			cmd.Wait()
			t.Fatalf("server exited before serving: %s", stderr.String())
		}
		s.url = strings.TrimSuffix(u, "/")
	case <-time.After(60 * time.Second):
		t.Fatalf("server did not start: %s", stderr.String())
	}
	return s
}

// kill sends SIGKILL: no shutdown code runs.
func (s *server) kill() {
	if s.cmd.ProcessState == nil {
		s.cmd.Process.Kill()
		s.cmd.Wait()
	}
}

func (s *server) do(t *testing.T, method, path string, body any, header map[string]string) (int, map[string]any) {
	t.Helper()
	var rd io.Reader
	if body != nil {
		b, _ := json.Marshal(body)
		rd = bytes.NewReader(b)
	}
	req, _ := http.NewRequest(method, s.url+path, rd)
	req.Header.Set("Authorization", "Bearer "+testToken)
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	for k, v := range header {
		req.Header.Set(k, v)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return 0, nil
	}
	defer resp.Body.Close()
	var m map[string]any
	json.NewDecoder(resp.Body).Decode(&m)
	return resp.StatusCode, m
}

func dossierInput(agency string, i int) map[string]any {
	return map[string]any{
		"procedure": "DEMO-HT-001",
		"agency":    agency,
		"channel":   "counter",
		"applicant": map[string]any{
			"kind": "citizen", "name": fmt.Sprintf("Nguyễn Văn %d", i), "id_number": "001090012345",
			"phone": "0912345678", "address": "Phường Phúc Xá, Quận Ba Đình",
		},
		"form": map[string]any{"child_name": "Nguyễn Minh Khang"},
	}
}

// TestKillAfterAcknowledgement submits dossiers from 16 clients spread
// over several agencies, kills the server with SIGKILL while they run,
// restarts it and checks that every dossier acknowledged with 201 is
// there, with the same code, and that the history verifies.
func TestKillAfterAcknowledgement(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and runs the binary")
	}
	testkit.ForEachEngine(t, func(t *testing.T, dsn string) {
		args := []string{"--demo", "--migrate"}
		if strings.HasPrefix(dsn, "sqlite:") {
			args = append(args, "--data", filepath.Dir(strings.TrimPrefix(dsn, "sqlite:")))
		} else {
			args = append(args, "--db", dsn)
		}
		s := startServer(t, args...)

		// The commune committees that handle the demo birth registration.
		status, proc := s.do(t, "GET", "/api/v1/procedures/DEMO-HT-001", nil, nil)
		if status != http.StatusOK {
			t.Fatalf("GET procedure: %d %v", status, proc)
		}
		var agencies []string
		for _, a := range proc["agencies"].([]any) {
			agencies = append(agencies, a.(map[string]any)["code"].(string))
		}
		agencies = agencies[:min(len(agencies), 16)]

		const clients = 16
		var mu sync.Mutex
		acked := map[string]string{} // id → code
		var wg sync.WaitGroup
		stop := make(chan struct{})
		for c := range clients {
			wg.Go(func() {
				for i := 0; ; i++ {
					select {
					case <-stop:
						return
					default:
					}
					status, d := s.do(t, "POST", "/api/v1/dossiers", dossierInput(agencies[(c+i)%len(agencies)], c*1000+i), nil)
					if status == http.StatusCreated {
						mu.Lock()
						acked[d["id"].(string)] = d["code"].(string)
						mu.Unlock()
					}
				}
			})
		}
		// Kill after two seconds of load or 200 acknowledgements, and not
		// before the first.
		start := time.Now()
		for deadline := start.Add(30 * time.Second); time.Now().Before(deadline); time.Sleep(10 * time.Millisecond) {
			mu.Lock()
			n := len(acked)
			mu.Unlock()
			if n >= 200 || n > 0 && time.Since(start) > 2*time.Second {
				break
			}
		}
		s.kill()
		close(stop)
		wg.Wait()
		if len(acked) == 0 {
			t.Fatal("no dossier was acknowledged before the kill")
		}

		s = startServer(t, args...)
		for id, code := range acked {
			status, d := s.do(t, "GET", "/api/v1/dossiers/"+id, nil, nil)
			if status != http.StatusOK || d["code"] != code {
				t.Errorf("acknowledged dossier %s (%s) after restart: status %d, code %v", id, code, status, d["code"])
			}
		}
		status, rep := s.do(t, "GET", "/api/v1/admin/verify", nil, nil)
		if status != http.StatusOK || rep["ok"] != true {
			t.Errorf("verify after restart: %d %v", status, rep)
		}
		t.Logf("%d acknowledged dossiers survived SIGKILL", len(acked))
	})
}

// TestRun covers the subcommands in process.
func TestRun(t *testing.T) {
	dir := t.TempDir()
	csv := filepath.Join(dir, "units.csv")
	os.WriteFile(csv, []byte("level,code,name,type,parent_code\n1,01,Thành phố Hà Nội,Thành phố Trung ương,\n2,001,Quận Ba Đình,Quận,01\n3,00001,Phường Phúc Xá,Phường,001\n"), 0o644)
	bad := filepath.Join(dir, "bad.csv")
	os.WriteFile(bad, []byte("level,code,name,type,parent_code\n2,001,Quận Ba Đình,Quận,99\n"), 0o644)
	env := func(string) string { return "" }
	data := filepath.Join(dir, "data")
	tests := []struct {
		name   string
		args   []string
		status int
		out    string
	}{
		{"Version", []string{"version"}, 0, "motcua "},
		{"NoCommand", nil, 2, ""},
		{"UnknownCommand", []string{"frobnicate"}, 2, ""},
		{"BadDB", []string{"migrate", "--db", "mysql://x"}, 1, ""},
		{"Migrate", []string{"migrate", "--data", data}, 0, "up to date"},
		{"ImportUnitsNeedsFile", []string{"import-units", "--data", data}, 1, ""},
		{"ImportUnitsBadFile", []string{"import-units", "--data", data, bad}, 1, ""},
		{"ImportUnits", []string{"import-units", "--data", data, csv}, 0, "imported 3 units; level 1: 1; level 2: 1; level 3: 1"},
		{"ImportUnitsNotEmpty", []string{"import-units", "--data", data, csv}, 1, ""},
		{"VerifyEmpty", []string{"verify", "dossiers", "--data", data}, 0, "OK"},
		{"VerifyNeedsWhat", []string{"verify"}, 2, ""},
		{"DemoRefusedOnOtherData", []string{"serve", "--data", data, "--demo", "--addr", "127.0.0.1:0"}, 1, ""},
		{"ServeRefusesOldSchema", []string{"serve", "--db", "sqlite:" + filepath.Join(dir, "new.db"), "--addr", "127.0.0.1:0"}, 1, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var stdout, stderr bytes.Buffer
			ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
			defer cancel()
			if got := run(ctx, tt.args, env, strings.NewReader(""), &stdout, &stderr); got != tt.status {
				t.Fatalf("run(%q) = %d, want %d; stdout %s; stderr %s", tt.args, got, tt.status, stdout.String(), stderr.String())
			}
			if !strings.Contains(stdout.String(), tt.out) {
				t.Errorf("run(%q) printed %q, want it to contain %q", tt.args, stdout.String(), tt.out)
			}
		})
	}
}

// TestServeDemoTwice starts serve --demo on a new database, stops it, and
// starts it again: the second start finds the demo data and keeps it.
func TestServeDemoTwice(t *testing.T) {
	data := t.TempDir()
	for i := 0; i < 2; i++ {
		var stdout, stderr testkit.Buffer
		ctx, cancel := context.WithCancel(context.Background())
		done := make(chan int)
		go func() {
			done <- run(ctx, []string{"serve", "--demo", "--data", data, "--addr", "127.0.0.1:0"}, func(string) string { return "" }, strings.NewReader(""), &stdout, &stderr)
		}()
		deadline := time.Now().Add(60 * time.Second)
		for !strings.Contains(stdout.String(), "citizen sign-in:") && time.Now().Before(deadline) {
			time.Sleep(20 * time.Millisecond)
		}
		cancel()
		if status := <-done; status != 0 {
			t.Fatalf("serve --demo #%d exited %d: %s", i+1, status, stderr.String())
		}
		want := []string{"demo data loaded: 615 units", "demo data"}[i]
		if !strings.Contains(stdout.String(), want) || !strings.Contains(stdout.String(), "administrator token: off") {
			t.Errorf("serve --demo #%d printed %q, want %q and the administrator token off", i+1, stdout.String(), want)
		}
	}
}

func TestConfig(t *testing.T) {
	env := map[string]string{"MOTCUA_ADDR": ":9000", "MOTCUA_DEMO": "true", "MOTCUA_DATA": "/srv/motcua"}
	c, _, err := parseConfig("serve", []string{"--addr", ":9100"}, func(k string) string { return env[k] }, (*Config).serveFlags)
	if err != nil {
		t.Fatal(err)
	}
	if c.Addr != ":9100" || !c.Demo || c.DSN() != "sqlite:/srv/motcua/motcua.db" || !c.DefaultDB() {
		t.Errorf("config = %+v, DSN %s", c, c.DSN())
	}
	for _, bad := range []map[string]string{
		{"MOTCUA_DEMO": "perhaps"},
		{"MOTCUA_DB": "oracle://x"},
		{"MOTCUA_CHECKPOINT_INTERVAL": "soon"},
		{"MOTCUA_CHECKPOINT_INTERVAL": "1ms"},
	} {
		if _, _, err := parseConfig("serve", nil, func(k string) string { return bad[k] }, (*Config).serveFlags); err == nil {
			t.Errorf("parseConfig with %v: no error", bad)
		}
	}
}

func TestRedactDSN(t *testing.T) {
	for in, want := range map[string]string{
		"postgres://u:secret@h:5432/db": "postgres://u:***@h:5432/db",
		"postgres://u@h/db":             "postgres://u@h/db",
		"sqlite:/tmp/x.db":              "sqlite:/tmp/x.db",
	} {
		if got := redactDSN(in); got != want {
			t.Errorf("redactDSN(%q) = %q, want %q", in, got, want)
		}
	}
}
