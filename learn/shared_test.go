package learn_test

import (
	"path/filepath"
	"slices"
	"strconv"
	"testing"

	"github.com/tanchi-dev/tanchi/corpus"
	"github.com/tanchi-dev/tanchi/engine"
	"github.com/tanchi-dev/tanchi/internal/sharedtest"
	"github.com/tanchi-dev/tanchi/learn"
	"github.com/tanchi-dev/tanchi/rule"
	"github.com/tanchi-dev/tanchi/rule/load"
)

// sigmaHQAdminRules are SigmaHQ rules that the simulated fleet's own
// management software sets off (see corpus.Simulate), by path under
// rules/windows.
var sigmaHQAdminRules = []string{
	"process_creation/proc_creation_win_powershell_encode.yml",
	"process_creation/proc_creation_win_powershell_base64_encoded_cmd.yml",
	"process_creation/proc_creation_win_powershell_non_interactive_execution.yml",
	"process_creation/proc_creation_win_net_use_mount_share.yml",
	"process_creation/proc_creation_win_net_groups_and_accounts_recon.yml",
	"process_creation/proc_creation_win_whoami_all_execution.yml",
	"process_creation/proc_creation_win_wmic_recon_product.yml",
	"process_creation/proc_creation_win_office_susp_child_processes.yml",
	"process_creation/proc_creation_win_bitsadmin_download.yml",
	"process_creation/proc_creation_win_sysinternals_psexesvc.yml",
	"process_creation/proc_creation_win_msiexec_install_quiet.yml",
	"process_creation/proc_creation_win_netsh_fw_add_rule.yml",
	"process_creation/proc_creation_win_schtasks_creation.yml",
	"process_creation/proc_creation_win_susp_shadow_copies_deletion.yml",
	"builtin/system/service_control_manager/win_system_service_install_sysinternals_psexec.yml",
	"powershell/powershell_script/posh_ps_web_request_cmd_and_cmdlets.yml",
	"registry/registry_set/registry_set_pua_sysinternals_execution_via_eula.yml",
}

// TestLearnSigmaHQFleet is the acceptance scenario in small: a 6-host,
// 4-day fleet with real benign events replayed and real attacks injected,
// SigmaHQ rules the admin software sets off plus those that detect the
// injected attacks, SigmaHQ's regression events as protected events, one
// held-out day. Every attack detection must survive the proposals, no
// protected detection may be suppressed, and the held-out day's false
// alerts must mostly go.
func TestLearnSigmaHQFleet(t *testing.T) {
	t.Parallel()
	windows := sharedtest.Path(t, "sigma", "rules", "windows")
	regression := sharedtest.Path(t, "sigma", "regression_data")
	corpora := sharedtest.Path(t, "corpora")
	dir := t.TempDir()
	sum, err := corpus.Simulate(corpus.SimConfig{Hosts: 6, Days: 4, Seed: 5, Corpora: corpora, Attacks: 12}, dir)
	if err != nil {
		t.Fatal(err)
	}
	events := filepath.Join(dir, corpus.SimEventsDir)
	labels, err := corpus.ReadSimLabels(filepath.Join(dir, corpus.SimLabelsFile))
	if err != nil {
		t.Fatal(err)
	}
	attack := map[string]bool{}
	for _, l := range labels {
		attack[filepath.Join(dir, filepath.FromSlash(l.File))+":"+strconv.Itoa(l.Line)] = true
	}

	// The rules: the admin subset, the examples, and every SigmaHQ Windows
	// rule that detects an injected attack (found by running them all
	// over the labelled events only).
	var paths []string
	for _, p := range sigmaHQAdminRules {
		paths = append(paths, filepath.Join(windows, filepath.FromSlash(p)))
	}
	set, err := load.Paths(append(paths, "../examples/rules")...)
	if err != nil {
		t.Fatal(err)
	}
	all, _ := load.Paths(windows)
	allEng, _ := engine.Compile(all.Rules)
	fired := map[string]bool{}
	walkLabelled(t, events, attack, func(ev engine.Event) {
		for _, m := range allEng.Match(ev) {
			fired[m.Rule.ID] = true
		}
	})
	for _, r := range all.Rules {
		if fired[r.ID] && !slices.ContainsFunc(set.Rules, func(x *rule.Rule) bool { return x.ID == r.ID }) {
			set.Rules = append(set.Rules, r)
		}
	}
	if len(fired) == 0 {
		t.Fatal("no SigmaHQ rule detects any injected attack")
	}

	res := learnFleet(t, set.Rules, []string{events}, []string{regression}, learn.WithHoldoutDays(1))
	checkProposals(t, res)
	if res.Protect.Detections == 0 || res.Protect.Suppressed != 0 {
		t.Errorf("protected: %+v", res.Protect)
	}

	// With the proposals applied by the engine: attack detections before
	// and after, and the held-out day's false alerts.
	before, _ := engine.Compile(set.Rules)
	after, err := engine.Compile(set.Rules, engine.WithExclusions(res.Exclusions()))
	if err != nil {
		t.Fatal(err)
	}
	var attacksBefore, attacksAfter, falseHeld, falseHeldLeft int
	holdout := res.Validation.Days[0]
	err = corpus.Walk([]string{events}, func(r corpus.Record) error {
		ev, err := engine.ParseJSON(r.Raw)
		if err != nil {
			return err
		}
		if attack[r.File+":"+strconv.Itoa(r.Line)] {
			attacksBefore += len(before.Match(ev))
			attacksAfter += len(after.Match(ev))
			return nil
		}
		if v, _ := ev.Field("TimeCreated_SystemTime"); len(v.S) >= 10 && v.S[:10] == holdout {
			falseHeld += len(before.Match(ev))
			falseHeldLeft += len(after.Match(ev))
		}
		return nil
	}, nil)
	if err != nil {
		t.Fatal(err)
	}
	if attacksBefore == 0 {
		t.Fatal("the injected attacks set off nothing")
	}
	if attacksAfter != attacksBefore {
		t.Errorf("attack detections: %d before the proposals, %d after; every one must still fire", attacksBefore, attacksAfter)
	}
	rate := float64(falseHeld-falseHeldLeft) / float64(falseHeld)
	if rate < 0.9 {
		t.Errorf("held-out day: %d of %d false alerts suppressed (%.1f%%), want at least 90%%", falseHeld-falseHeldLeft, falseHeld, 100*rate)
	}
	t.Logf("%d events, %d rules; %d proposals, %d not learned; attack detections %d -> %d; held-out false alerts %d -> %d (%.1f%% suppressed); protected detections %d, suppressed %d",
		sum.Events, len(set.Rules), len(res.Proposals), len(res.NotLearned), attacksBefore, attacksAfter, falseHeld, falseHeldLeft, 100*rate,
		res.Protect.Detections, res.Protect.Suppressed)
}

func walkLabelled(t *testing.T, events string, labelled map[string]bool, fn func(engine.Event)) {
	t.Helper()
	err := corpus.Walk([]string{events}, func(r corpus.Record) error {
		if !labelled[r.File+":"+strconv.Itoa(r.Line)] {
			return nil
		}
		ev, err := engine.ParseJSON(r.Raw)
		if err != nil {
			return err
		}
		fn(ev)
		return nil
	}, nil)
	if err != nil {
		t.Fatal(err)
	}
}
