// Package browsertest starts a headless Chromium for tests that check what
// a browser renders (the control API's status page), driven with chromedp.
//
// The browser is the Debian package chromium (or CHROMIUM=path). A test
// that needs it fails when it is missing, also outside CI: a silent skip
// would let a broken page pass. .ci/run installs it.
package browsertest

import (
	"context"
	"os"
	"os/exec"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

// InstallHint is the command that installs the browser on Debian.
const InstallHint = "apt-get install -y --no-install-recommends chromium"

// Width and Height are the size of the page's viewport in CSS pixels.
const (
	Width  = 1200
	Height = 800
)

// New starts a headless Chromium and returns a chromedp context of a tab in
// it, which ends (and the browser with it) when the test ends or after
// timeout. Chromium runs without its sandbox: CI runs tests as root, where
// the sandbox cannot start.
func New(t testing.TB, timeout time.Duration) context.Context {
	t.Helper()
	path := Path()
	if path == "" {
		if os.Getenv("CI") == "true" {
			t.Fatalf("chromium is not installed, and CI must run the browser tests: .ci/run installs it with %q", InstallHint)
		}
		t.Fatalf("this test needs chromium: install it with %q (as root), or set CHROMIUM to a Chrome or Chromium binary", InstallHint)
	}
	opts := append(chromedp.DefaultExecAllocatorOptions[:],
		chromedp.ExecPath(path),
		chromedp.NoSandbox,
		chromedp.DisableGPU,
		chromedp.WindowSize(Width, Height),
		chromedp.Flag("hide-scrollbars", true),
		chromedp.Flag("force-device-scale-factor", "1"),
		chromedp.Flag("lang", "en-US"),
	)
	ctx, cancelTimeout := context.WithTimeout(context.Background(), timeout)
	ctx, cancelAlloc := chromedp.NewExecAllocator(ctx, opts...)
	ctx, cancelTab := chromedp.NewContext(ctx, chromedp.WithErrorf(t.Logf))
	t.Cleanup(func() {
		cancelTab()
		cancelAlloc()
		cancelTimeout()
	})
	// Starts the browser now, so that a broken one fails here, and sizes
	// the page's viewport (the window also has the browser's own bars).
	if err := chromedp.Do(ctx, chromedp.EmulateViewport(Width, Height)); err != nil {
		t.Fatalf("start chromium %s: %v", path, err)
	}
	return ctx
}

// Path returns the browser's path: $CHROMIUM, or the first of chromium,
// chromium-browser, google-chrome on $PATH; "" when there is none.
func Path() string {
	if p := os.Getenv("CHROMIUM"); p != "" {
		return p
	}
	for _, name := range []string{"chromium", "chromium-browser", "google-chrome", "google-chrome-stable"} {
		if p, err := exec.LookPath(name); err == nil {
			return p
		}
	}
	return ""
}
