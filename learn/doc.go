// Package learn turns a baseline of telemetry (a customer's first week)
// into exclusion proposals a person can review, and a tuning report that
// shows what they would do.
//
// # What is learned
//
// A Learner runs the rules over the baseline events, streamed from files.
// Every alert is taken as benign, as the product's learning mode does on
// machines believed clean, and grouped per rule into recurring patterns by
// the fields that identify the activity: image, parent image, original file
// name, company or signer, user, command line and the parent's command
// line, and their counterparts in
// other event types (target file, registry key, pipe, query, service,
// task, script block). Within a field, the parts that vary from one
// occurrence to the next are generalised: a user's profile folder (and the
// user's own name wherever it stands as a word), GUIDs, temporary names,
// version numbers, hex and random tokens, process ids and other long
// numbers, times of day, base64 data. A part that looks volatile but never
// varies keeps its value, so each proposal is as narrow as the data allows.
// Two patterns are one when their literal text is the same, compared
// without regard to case as Sigma compares values.
//
// A pattern becomes a proposal when it was seen at least twice and, where
// the baseline spans more than one day or host, on two days or two hosts
// (WithThresholds), and when at least two of its fields stay meaningful
// after generalisation, not all of them free text such as a command line.
// A field that generalised to a bare wildcard, or to a user name that
// varies, is left out. The rest is listed as not learned, with the reason.
//
// # Safety
//
// Every proposal is compiled and run, in a second pass, over every
// baseline alert of its rule and every alert on the protected events
// (known true positives). A proposal that would suppress a protected
// detection, or a baseline alert of a pattern left for a person (a
// one-off), is narrowed with the context fields that were stable
// (hashes, integrity level, working directory, parent command line...)
// or, when that is not enough, dropped; the result says which and why.
// Dropping one pattern can make another unsafe, so the check repeats until
// nothing changes. A proposal that other proposals already cover is folded
// into them, and one pattern learned for several rules is one proposal
// scoped to all of them.
//
// # Validation and determinism
//
// With WithHoldoutDays the last days of the baseline are kept out of
// learning; the result reports how many of their alerts the proposals
// suppress and how many remain. Proposals have stable ids derived from
// their rules and conditions and are written in a fixed order; nothing in
// the output depends on the order events arrive in or the number of
// workers, so learning twice from the same data writes the same bytes.
//
// # Memory
//
// Memory grows with the number of distinct patterns (at most
// WithMaxPatterns per rule), never with the number of events: the
// matched events wait for the second pass in a temporary file.
//
// # Output
//
// WriteDSL and WriteSigma write the proposals as exclude blocks of
// tanchi's rule language or as Sigma filters, each with its reason line
// ("learned: 412 events, 37 hosts, 7 of 7 days") and its evidence.
// WriteHTML, WriteMarkdown and WriteJSON write the tuning report: alerts
// per day and per rule before and after, the noisiest rules, every
// proposal with its evidence, what was not learned and why, and the
// validation figures. The HTML page is self-contained, its charts inline
// SVG.
package learn
