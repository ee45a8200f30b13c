package web

import (
	"fmt"
	"html/template"
	"math"
	"strings"
	"time"

	"github.com/vtr-project/vtr"
)

// Charts are inline SVG written on the server: no script, no library,
// and they print and work offline. Every text in them is escaped.

// trendPoint is a group's rolling rate as of the end of one day.
type trendPoint struct {
	Day  time.Time
	Rate *float64
}

const (
	trendW, trendH                   = 560, 180
	trendLeft, trendRight            = 48, 12
	trendTop, trendBottom            = 12, 26
	trendPlotW                       = trendW - trendLeft - trendRight
	trendPlotH                       = trendH - trendTop - trendBottom
	barRowH, barLabelW, barW, barGap = 24, 190, 560, 6
)

// trendSVG draws the rolling rate day by day with the target as a
// dashed line; days with nothing counted leave a gap.
func trendSVG(title string, pts []trendPoint, target float64) template.HTML {
	lo := target
	for _, p := range pts {
		if p.Rate != nil && *p.Rate < lo {
			lo = *p.Rate
		}
	}
	lo = math.Floor((lo-0.01)*50) / 50 // 2-point steps under the lowest
	if lo < 0 {
		lo = 0
	}
	hi := 1.0
	if hi-lo < 0.04 {
		lo = hi - 0.04
	}
	y := func(r float64) float64 { return trendTop + (hi-r)/(hi-lo)*trendPlotH }
	x := func(i int) float64 {
		if len(pts) < 2 {
			return trendLeft + trendPlotW/2
		}
		return trendLeft + float64(i)*trendPlotW/float64(len(pts)-1)
	}
	var b strings.Builder
	fmt.Fprintf(&b, `<svg class="chart" viewBox="0 0 %d %d" role="img" aria-label="%s">`, trendW, trendH, esc(title))
	for _, g := range []float64{hi, lo, (hi + lo) / 2} {
		fmt.Fprintf(&b, `<line class="grid" x1="%d" x2="%d" y1="%.1f" y2="%.1f"/>`, trendLeft, trendW-trendRight, y(g), y(g))
		fmt.Fprintf(&b, `<text x="%d" y="%.1f" text-anchor="end">%.1f%%</text>`, trendLeft-6, y(g)+4, g*100)
	}
	fmt.Fprintf(&b, `<line class="target" x1="%d" x2="%d" y1="%.1f" y2="%.1f"><title>target %.2f%%</title></line>`, trendLeft, trendW-trendRight, y(target), y(target), target*100)
	fmt.Fprintf(&b, `<text x="%d" y="%.1f" text-anchor="end">target</text>`, trendW-trendRight, y(target)-4)
	var seg []string
	flush := func() {
		if len(seg) > 1 {
			fmt.Fprintf(&b, `<polyline class="line" points="%s"/>`, strings.Join(seg, " "))
		}
		seg = seg[:0]
	}
	for i, p := range pts {
		if p.Rate == nil {
			flush()
			continue
		}
		seg = append(seg, fmt.Sprintf("%.1f,%.1f", x(i), y(*p.Rate)))
	}
	flush()
	for i, p := range pts {
		if p.Rate != nil {
			fmt.Fprintf(&b, `<circle class="dot" cx="%.1f" cy="%.1f" r="2.5"><title>%s: %s</title></circle>`, x(i), y(*p.Rate), p.Day.Format("2006-01-02"), pct(p.Rate))
		}
	}
	if len(pts) > 0 {
		fmt.Fprintf(&b, `<text x="%d" y="%d">%s</text>`, trendLeft, trendH-6, pts[0].Day.Format("Jan 2"))
		fmt.Fprintf(&b, `<text x="%d" y="%d" text-anchor="end">%s</text>`, trendW-trendRight, trendH-6, pts[len(pts)-1].Day.Format("Jan 2"))
	}
	b.WriteString(`</svg>`)
	return template.HTML(b.String())
}

// reasonCount is how many defects of a window carry a reason.
type reasonCount struct {
	Reason vtr.Reason
	Count  int
}

// reasonsSVG draws a horizontal bar per reason, largest first.
func reasonsSVG(rows []reasonCount) template.HTML {
	if len(rows) == 0 {
		return ""
	}
	max := 1
	for _, r := range rows {
		if r.Count > max {
			max = r.Count
		}
	}
	h := len(rows)*barRowH + barGap
	plot := float64(barW - barLabelW - 60)
	var b strings.Builder
	fmt.Fprintf(&b, `<svg class="chart bars" viewBox="0 0 %d %d" role="img" aria-label="defects by reason">`, barW, h)
	for i, r := range rows {
		top := barGap + i*barRowH
		w := math.Max(2, float64(r.Count)/float64(max)*plot)
		fmt.Fprintf(&b, `<g><title>%s: %s</title>`, esc(string(r.Reason)), esc(r.Reason.Describe()))
		fmt.Fprintf(&b, `<text x="%d" y="%d" text-anchor="end">%s</text>`, barLabelW-8, top+13, esc(string(r.Reason)))
		fmt.Fprintf(&b, `<rect class="bar" x="%d" y="%d" width="%.1f" height="%d" rx="3"/>`, barLabelW, top+2, w, barRowH-8)
		fmt.Fprintf(&b, `<text x="%.1f" y="%d">%d</text></g>`, float64(barLabelW)+w+6, top+13, r.Count)
	}
	b.WriteString(`</svg>`)
	return template.HTML(b.String())
}

func esc(s string) string { return template.HTMLEscapeString(s) }
