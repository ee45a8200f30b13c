package web

import (
	"bufio"
	"encoding/json"
	"net/http"
	"slices"
	"strings"

	"github.com/vtr-project/vtr"
	"github.com/vtr-project/vtr/flatfile"
	"github.com/vtr-project/vtr/internal/sqlutil"
	"github.com/vtr-project/vtr/tracking"
)

// maxPreflightNumbers bounds the numbers pasted at once.
const maxPreflightNumbers = 10000

// preflightPage is the pre-flight's form and answers.
type preflightPage struct {
	Seller   *vtr.Seller
	Policies []string
	Policy   string
	Origin   string
	Numbers  string
	Carrier  string
	// Results are POST /v1/validate's objects, one per number.
	Results []validateResult
	// Findings are `vtr check`'s, one per line of the flat file.
	File     string
	Findings []flatfile.Finding
	Summary  *flatfile.CheckSummary
	// SeparatorNote says the file is not tab-separated, as Amazon wants.
	SeparatorNote string
	Checked       bool
	Problems      int
}

// validateResult is one object of tracking.Result's wire form (the
// answer of POST /v1/validate and `vtr validate --json`).
type validateResult struct {
	Input      string  `json:"input"`
	Normalized *string `json:"normalized"`
	Valid      bool    `json:"valid"`
	Verified   bool    `json:"verified"`
	Carrier    *string `json:"carrier"`
	Service    *string `json:"service"`
	Detail     *string `json:"detail"`
	Candidates []struct {
		Carrier    string `json:"carrier"`
		Service    string `json:"service"`
		CheckDigit bool   `json:"check_digit"`
		Partner    bool   `json:"partner"`
	} `json:"candidates"`
	Reason  *string `json:"reason"`
	Message string  `json:"message"`
	// Claimed is the carrier the line named ("" for none).
	Claimed string `json:"-"`
	// NormalizedDiffers is the normalised number when it is not the
	// input as typed.
	NormalizedDiffers string `json:"-"`
}

func (p *pages) preflightForm(w http.ResponseWriter, r *http.Request, ss *sqlutil.Session) error {
	sel, err := p.seller(r, ss)
	if err != nil {
		return err
	}
	if err := noQueryBut(r); err != nil {
		return err
	}
	pp := &preflightPage{Seller: sel, Policies: sel.Policies}
	if len(sel.Policies) > 0 {
		pp.Policy = sel.Policies[0]
	}
	return p.renderPreflight(w, r, ss, pp)
}

func (p *pages) renderPreflight(w http.ResponseWriter, r *http.Request, ss *sqlutil.Session, pp *preflightPage) error {
	return p.render(w, r, http.StatusOK, "preflight", &page{Title: "Pre-flight · " + pp.Seller.ID, Active: "preflight", Key: &ss.Key, SellerID: pp.Seller.ID, CSRF: ss.CSRF, Body: pp})
}

// preflight checks pasted numbers (like POST /v1/validate) or an Amazon
// flat file (like `vtr check`), with the same functions.
func (p *pages) preflight(w http.ResponseWriter, r *http.Request, ss *sqlutil.Session) error {
	sel, err := p.seller(r, ss)
	if err != nil {
		return err
	}
	pp := &preflightPage{Seller: sel, Policies: sel.Policies, Checked: true,
		Policy: r.PostFormValue("policy"), Origin: strings.ToUpper(strings.TrimSpace(r.PostFormValue("origin"))),
		Numbers: r.PostFormValue("numbers"), Carrier: strings.TrimSpace(r.PostFormValue("carrier"))}
	if pp.Policy == "" && len(sel.Policies) > 0 {
		pp.Policy = sel.Policies[0]
	}
	if file, hdr, err := r.FormFile("file"); err == nil {
		defer file.Close()
		pol, err := p.s.cfg.Policies.Get(pp.Policy)
		if err != nil {
			return vtr.FieldErrorf(vtr.EINVALID, "policy", "%s", vtr.ErrorMessage(err))
		}
		cc := pp.Origin
		if cc == "" {
			cc = pol.DefaultOrigin()
		}
		switch {
		case cc != "" && (len(cc) != 2 || strings.Trim(cc, "ABCDEFGHIJKLMNOPQRSTUVWXYZ") != ""):
			return vtr.FieldErrorf(vtr.EINVALID, "origin", "%q is not a two-letter country code (US, CN …)", pp.Origin)
		case cc != "" && len(pol.Origins) > 0 && !slices.Contains(pol.Origins, cc):
			return vtr.FieldErrorf(vtr.EINVALID, "origin", "%s covers packages shipped from %s, not %s", pol.ID, strings.Join(pol.Origins, "/"), cc)
		}
		pp.File = hdr.Filename
		fr, err := flatfile.NewReader(file)
		if err != nil {
			return vtr.Errorf(vtr.EINVALID, "the flat file could not be read: %s", vtr.ErrorMessage(err))
		}
		if sep := fr.Separator(); sep != '\t' {
			pp.SeparatorNote = "This file is " + flatfile.SeparatorName(sep) + "-separated: it was read, but Amazon takes only the tab-separated flat file; save it as tab-delimited text before uploading it."
		}
		sum, err := flatfile.NewChecker(pol, cc).CheckReader(fr, func(_ flatfile.Row, f flatfile.Finding) error {
			if !f.OK() {
				pp.Findings = append(pp.Findings, f)
			}
			return nil
		})
		if err != nil {
			return vtr.Errorf(vtr.EINVALID, "the flat file could not be read: %s", vtr.ErrorMessage(err))
		}
		pp.Summary, pp.Problems = &sum, sum.Rejected+sum.Defects
		return p.renderPreflight(w, r, ss, pp)
	}
	var claimedAll *tracking.Carrier
	if pp.Carrier != "" {
		m, ok := tracking.Lookup(pp.Carrier)
		if !ok {
			return vtr.FieldErrorf(vtr.EINVALID, "carrier", "unknown carrier %q", pp.Carrier)
		}
		claimedAll = m.Carrier
	}
	var res tracking.Result
	var buf []byte
	sc := bufio.NewScanner(strings.NewReader(pp.Numbers))
	for sc.Scan() {
		line := strings.TrimSpace(sc.Text())
		if line == "" {
			continue
		}
		if len(pp.Results) == maxPreflightNumbers {
			return vtr.FieldErrorf(vtr.EINVALID, "numbers", "give at most %d numbers at once", maxPreflightNumbers)
		}
		// "NUMBER" or "NUMBER, CARRIER" (a comma or a tab).
		num, name, _ := strings.Cut(strings.ReplaceAll(line, "\t", ","), ",")
		num, name = strings.TrimSpace(num), strings.TrimSpace(name)
		claimed := claimedAll
		if name != "" {
			m, ok := tracking.Lookup(name)
			if !ok {
				return vtr.FieldErrorf(vtr.EINVALID, "numbers", "unknown carrier %q on the line %q", name, line)
			}
			claimed = m.Carrier
		}
		res.Check(num, claimed)
		buf = res.AppendJSON(buf[:0])
		var v validateResult
		if err := json.Unmarshal(buf, &v); err != nil {
			return err
		}
		if claimed != nil {
			v.Claimed = claimed.Code
		}
		if v.Normalized != nil && *v.Normalized != v.Input {
			v.NormalizedDiffers = *v.Normalized
		}
		if !v.Valid {
			pp.Problems++
		}
		pp.Results = append(pp.Results, v)
	}
	if len(pp.Results) == 0 {
		return vtr.FieldErrorf(vtr.EINVALID, "numbers", "paste at least one tracking number, or choose a flat file")
	}
	return p.renderPreflight(w, r, ss, pp)
}
