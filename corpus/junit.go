package corpus

import (
	"encoding/xml"
	"fmt"
	"io"
	"strings"
	"time"
)

// SuiteResult is the results of one group of cases (a case directory, the
// inline tests, a goodlog run), as reports show them.
type SuiteResult struct {
	Name    string
	Results []*Result
	Elapsed time.Duration
}

// Counts returns how many results passed, failed and were skipped.
func Counts(results []*Result) (passed, failed, skipped int) {
	for _, r := range results {
		switch r.Status {
		case Passed:
			passed++
		case Failed:
			failed++
		default:
			skipped++
		}
	}
	return
}

// The JUnit XML shape CI systems read (Jenkins, GitLab, GitHub actions
// reporters): <testsuites> holding one <testsuite> per group, each holding
// <testcase> elements with a <failure> or <skipped> child when they did not
// pass.
type junitSuites struct {
	XMLName  xml.Name     `xml:"testsuites"`
	Name     string       `xml:"name,attr"`
	Tests    int          `xml:"tests,attr"`
	Failures int          `xml:"failures,attr"`
	Errors   int          `xml:"errors,attr"`
	Skipped  int          `xml:"skipped,attr"`
	Time     string       `xml:"time,attr"`
	Suites   []junitSuite `xml:"testsuite"`
}

type junitSuite struct {
	Name      string      `xml:"name,attr"`
	Tests     int         `xml:"tests,attr"`
	Failures  int         `xml:"failures,attr"`
	Errors    int         `xml:"errors,attr"`
	Skipped   int         `xml:"skipped,attr"`
	Time      string      `xml:"time,attr"`
	Timestamp string      `xml:"timestamp,attr,omitempty"`
	Cases     []junitCase `xml:"testcase"`
}

type junitCase struct {
	Name      string        `xml:"name,attr"`
	Classname string        `xml:"classname,attr"`
	Time      string        `xml:"time,attr"`
	File      string        `xml:"file,attr,omitempty"`
	Failure   *junitFailure `xml:"failure"`
	Skipped   *junitSkipped `xml:"skipped"`
}

type junitFailure struct {
	Message string `xml:"message,attr"`
	Type    string `xml:"type,attr"`
	Text    string `xml:",chardata"`
}

type junitSkipped struct {
	Message string `xml:"message,attr"`
}

func seconds(d time.Duration) string { return fmt.Sprintf("%.3f", d.Seconds()) }

// WriteJUnit writes suites as JUnit XML. A failed case's <failure> carries
// the first failure's message in its message attribute and every failure,
// with its detail, as text.
func WriteJUnit(w io.Writer, suites []SuiteResult, now time.Time) error {
	doc := junitSuites{Name: "tanchi"}
	var total time.Duration
	for _, s := range suites {
		js := junitSuite{Name: s.Name, Timestamp: now.UTC().Format("2006-01-02T15:04:05")}
		var elapsed time.Duration
		for _, r := range s.Results {
			elapsed += r.Elapsed
			jc := junitCase{Name: r.Title(), Classname: classname(s.Name, r.Case), Time: seconds(r.Elapsed), File: r.Case.File}
			switch r.Status {
			case Failed:
				js.Failures++
				var text []string
				for _, f := range r.Failures {
					text = append(text, f.String())
				}
				typ := "expectation"
				if r.Failures[0].input {
					typ = "input"
				}
				jc.Failure = &junitFailure{Message: r.Failures[0].Msg, Type: typ, Text: strings.Join(text, "\n\n")}
			case Skipped:
				js.Skipped++
				jc.Skipped = &junitSkipped{Message: r.Skip}
			}
			js.Cases = append(js.Cases, jc)
		}
		if s.Elapsed > 0 {
			elapsed = s.Elapsed
		}
		total += elapsed
		js.Tests = len(js.Cases)
		js.Time = seconds(elapsed)
		doc.Tests += js.Tests
		doc.Failures += js.Failures
		doc.Skipped += js.Skipped
		doc.Suites = append(doc.Suites, js)
	}
	doc.Time = seconds(total)
	if _, err := io.WriteString(w, xml.Header); err != nil {
		return err
	}
	enc := xml.NewEncoder(w)
	enc.Indent("", "  ")
	if err := enc.Encode(doc); err != nil {
		return err
	}
	_, err := io.WriteString(w, "\n")
	return err
}

// classname is the suite name with the case's kind, dotted as JUnit
// readers group by it.
func classname(suite string, c *Case) string {
	s := strings.NewReplacer("/", ".", "\\", ".").Replace(strings.Trim(suite, "/."))
	if s == "" {
		s = "tanchi"
	}
	return s + "." + c.Kind.String()
}
