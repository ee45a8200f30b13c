package web_test

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/browser"
	"github.com/chromedp/chromedp"
)

// chromiumPath is Debian's chromium (.ci/run installs it); the tests
// never download a browser.
const chromiumPath = "/usr/bin/chromium"

// The dashboard end to end in real headless Chromium: sign in with a
// seller key, read the VTR tab against the API, filter defects, download
// the CSV and compare it with the API's, run a pre-flight, submit a plan
// of action, approve it as the operator, see the state change, and find
// another seller's pages closed. Screenshots of the main pages go to
// $VTR_SCREENSHOTS (default: a temporary directory).
func TestBrowser(t *testing.T) {
	if _, err := os.Stat(chromiumPath); err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatalf("%s is missing: CI must install Debian's chromium (apt-get install -y chromium)", chromiumPath)
		}
		t.Skipf("%s is missing: install Debian's chromium (apt-get install -y chromium) to run the browser tests", chromiumPath)
	}
	if testing.Short() {
		t.Skip("browser tests are not short")
	}
	shots := os.Getenv("VTR_SCREENSHOTS")
	if shots == "" {
		shots = t.TempDir()
	}
	if err := os.MkdirAll(shots, 0o755); err != nil {
		t.Fatal(err)
	}
	downloads := t.TempDir()

	e := start(t, "sqlite", location(t, "sqlite"), true)
	e.load()
	if _, err := e.enforce.Evaluate(context.Background(), now); err != nil {
		t.Fatal(err)
	}

	opts := append(chromedp.DefaultExecAllocatorOptions[:],
		chromedp.ExecPath(chromiumPath), chromedp.Headless, chromedp.DisableGPU, chromedp.WindowSize(1280, 1000))
	if os.Geteuid() == 0 {
		opts = append(opts, chromedp.NoSandbox) // Chromium refuses its sandbox as root
	}
	whole, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	alloc, cancelAlloc := chromedp.NewExecAllocator(whole, opts...)
	defer cancelAlloc()
	tab, cancelTab := chromedp.NewContext(alloc, chromedp.WithLogf(t.Logf))
	defer cancelTab()

	// step runs actions within their own time limit and says which step
	// broke; text reads an element's text the same way.
	step := func(name string, actions ...chromedp.Action[chromedp.Void]) {
		t.Helper()
		ctx, cancel := context.WithTimeout(tab, 30*time.Second)
		defer cancel()
		if err := chromedp.Do(ctx, actions...); err != nil {
			t.Fatalf("%s: %v", name, err)
		}
	}
	// waitURL waits, bounded, until the page's address holds part: a
	// query started while a click's navigation swaps the page can miss
	// the new page, so a step after a navigating click waits for it.
	waitURL := func(part string) {
		t.Helper()
		for deadline := time.Now().Add(15 * time.Second); time.Now().Before(deadline); time.Sleep(100 * time.Millisecond) {
			ctx, cancel := context.WithTimeout(tab, 2*time.Second)
			href, err := chromedp.Run(ctx, chromedp.Evaluate[string](`location.href`))
			cancel()
			if err == nil && strings.Contains(href, part) {
				return
			}
		}
		t.Fatalf("the page never reached an address with %q", part)
	}
	text := func(sel string) string {
		t.Helper()
		ctx, cancel := context.WithTimeout(tab, 10*time.Second)
		defer cancel()
		s, err := chromedp.Run(ctx, chromedp.Text(chromedp.CSS(sel)))
		if err != nil {
			t.Fatalf("reading %s: %v", sel, err)
		}
		return strings.TrimSpace(s)
	}
	shot := func(name string) chromedp.Action[chromedp.Void] {
		return chromedp.Func(func(ctx context.Context, tg *chromedp.Target) error {
			png, err := chromedp.FullScreenshot(100)(ctx, tg) // quality 100: PNG
			if err != nil {
				return err
			}
			return os.WriteFile(filepath.Join(shots, name+".png"), png, 0o644)
		})
	}
	signIn := func(who, key string) {
		t.Helper()
		step("sign in as "+who,
			chromedp.Navigate(e.url+"/login"),
			chromedp.WaitVisible(chromedp.ID("key")),
			chromedp.SendKeys(chromedp.ID("key"), key),
			chromedp.Click(chromedp.ID("signin")),
			chromedp.WaitVisible(chromedp.CSS("nav")),
		)
	}
	signOut := func() {
		t.Helper()
		step("sign out", chromedp.Click(chromedp.CSS("form.signout button")), chromedp.WaitVisible(chromedp.ID("key")))
	}

	// The browser starts with the first step, on a context without a
	// time limit of its own (its limit would end the browser).
	if err := chromedp.Do(tab); err != nil {
		t.Fatalf("starting %s: %v", chromiumPath, err)
	}
	step("the sign-in page", chromedp.Navigate(e.url+"/login"), chromedp.WaitVisible(chromedp.ID("key")), shot("login"))
	signIn("S1", e.s1)

	// The VTR tab against the API.
	rep := e.apiRate("/v1/sellers/S1/rate?as_of=2026-10-20")
	step("Shipping Performance",
		chromedp.Navigate(e.url+"/sellers/S1?as_of=2026-10-20"),
		chromedp.WaitVisible(chromedp.CSS("table.vtr")),
		shot("seller"),
	)
	row := `table.vtr tr[data-category="Electronics"] `
	overall, rate, status, valid, invalid := text("[data-overall-rate]"), text(row+"[data-rate]"), text(row+"[data-status]"), text(row+"[data-valid]"), text(row+"[data-invalid]")
	c := rep.Categories[0]
	if overall != pctOf(rep.Overall.Rate) || rate != pctOf(c.Rate) || status != c.Status || valid != fmt.Sprint(c.Valid) || invalid != fmt.Sprint(c.Invalid) {
		t.Errorf("the page shows %s overall, Electronics %s %s %s valid %s invalid; the API %s, %s %s %d %d",
			overall, rate, status, valid, invalid, pctOf(rep.Overall.Rate), pctOf(c.Rate), c.Status, c.Valid, c.Invalid)
	}

	// Defects, filtered through the form.
	step("defects filtered by category",
		chromedp.Navigate(e.url+"/sellers/S1/defects?as_of=2026-10-20"),
		chromedp.WaitVisible(chromedp.ID("filters")),
		chromedp.SetValue(chromedp.ID("f-category"), "Electronics"),
		chromedp.Click(chromedp.ID("apply")),
	)
	waitURL("category=Electronics")
	step("the filtered defects",
		chromedp.WaitVisible(chromedp.CSS(`table.defects tr[data-order="111-0000001-0000002"]`)),
		shot("defects"),
	)
	if total := text("[data-total]"); total != "1" {
		t.Errorf("defects in Electronics: %s, want 1", total)
	}
	ctx, cancelHref := context.WithTimeout(tab, 10*time.Second)
	href, err := chromedp.Run(ctx, chromedp.AttributeValue(chromedp.ID("download"), "href"))
	cancelHref()
	if err != nil {
		t.Fatal(err)
	}
	// The download is the API's CSV for the same filters.
	step("download the report",
		chromedp.Func(func(ctx context.Context, _ *chromedp.Target) error {
			_, err := chromedp.Call(ctx, browser.SetDownloadBehavior, browser.SetDownloadBehaviorParams{
				Behavior: browser.SetDownloadBehaviorBehaviorAllow, DownloadPath: downloads})
			return err
		}),
		chromedp.Click(chromedp.ID("download")),
	)
	var got []byte
	for deadline := time.Now().Add(20 * time.Second); time.Now().Before(deadline); time.Sleep(100 * time.Millisecond) {
		if b, err := os.ReadFile(filepath.Join(downloads, "S1-defects.csv")); err == nil && len(b) > 0 {
			got = b
			break
		}
	}
	_, query, _ := strings.Cut(href.Value, "?")
	if !strings.Contains(query, "category=Electronics") {
		t.Errorf("the download link lost the filter: %s", href.Value)
	}
	if _, _, want := e.do("GET", "/v1/sellers/S1/defects.csv?"+query, e.s1, ""); string(got) != want || want == "" {
		t.Errorf("downloaded CSV:\n%q\nthe API's:\n%q", got, want)
	}

	// A pre-flight of pasted numbers.
	step("pre-flight",
		chromedp.Navigate(e.url+"/sellers/S1/preflight"),
		chromedp.WaitVisible(chromedp.ID("numbers")),
		chromedp.SetValue(chromedp.ID("numbers"), "1Z96F4R8D313969574, UPS\n1Z999AA10123456784, USPS"),
		chromedp.Click(chromedp.ID("check-numbers")),
		chromedp.WaitVisible(chromedp.ID("results")),
		shot("preflight"),
	)
	if problems := text("[data-problems]"); problems != "1" {
		t.Errorf("pre-flight problems: %s, want 1", problems)
	}

	// The plan of action, from the seller page's link.
	step("plan of action",
		chromedp.Navigate(e.url+"/sellers/S1?as_of=2026-10-20"),
		chromedp.Click(chromedp.CSS("a.appeal-link")),
		chromedp.WaitVisible(chromedp.ID("plan-form")),
		shot("plan-of-action"),
		chromedp.Click(chromedp.ID("submit-plan")),
		chromedp.WaitVisible(chromedp.ID("waiting")),
	)
	if state := text("#group-state"); state != "appeal_pending" {
		t.Errorf("after submitting: %s", state)
	}
	// Another seller's page does not exist for S1.
	step("another seller's page", chromedp.Navigate(e.url+"/sellers/S2"), chromedp.WaitVisible(chromedp.CSS("main h1")))
	if heading := text("main h1"); heading != "Not found" {
		t.Errorf("S1 on S2's page: %q", heading)
	}
	signOut()

	// The operator approves it.
	signIn("the operator", e.op)
	step("operator console",
		chromedp.Navigate(e.url+"/operator?as_of=2026-10-20"),
		chromedp.WaitVisible(chromedp.CSS("table.appeals tr[data-appeal] button.approve")),
		shot("operator"),
		chromedp.Click(chromedp.CSS("table.appeals tr[data-appeal] button.approve")),
		chromedp.WaitVisible(chromedp.CSS("table.sellers")),
	)
	// The click posts and the console reloads: wait, bounded, until the
	// reloaded page lists no plan (the old page may still be showing).
	var left int

	for deadline := time.Now().Add(10 * time.Second); time.Now().Before(deadline); time.Sleep(100 * time.Millisecond) {
		ctx, cancelLeft := context.WithTimeout(tab, 2*time.Second)
		left, err = chromedp.Run(ctx, chromedp.Evaluate[int](`document.querySelectorAll("table.appeals tr[data-appeal]").length`))
		cancelLeft()
		if err == nil && left == 0 {
			break
		}
	}
	if err != nil || left != 0 {
		t.Errorf("%d plans left after approving (%v)", left, err)
	}
	signOut()

	// The seller sees the state change.
	signIn("S1 again", e.s1)
	step("seller page after approval",
		chromedp.Navigate(e.url+"/sellers/S1?as_of=2026-10-20"),
		chromedp.WaitVisible(chromedp.CSS("table.enforcement")),
		shot("seller-reinstated"),
	)
	if state := text(`table.enforcement tr[data-group="Electronics"] [data-state]`); state != "reinstated" {
		t.Errorf("Electronics after approval: %s", state)
	}
	t.Logf("screenshots in %s", shots)
}
