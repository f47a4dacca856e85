package rule

// CheckDuplicateIDs reports every rule, exclusion or correlation whose id was
// already used by an earlier one in the set.
func CheckDuplicateIDs(s *Set) ErrorList {
	var errs ErrorList
	first := map[string]Pos{}
	check := func(id string, pos Pos) {
		if id == "" {
			return
		}
		if p, dup := first[id]; dup {
			e := Errorf(ErrDuplicateID, pos, "id %s is already used by the rule at %s", id, p)
			e.RuleID = id
			errs = append(errs, e)
			return
		}
		first[id] = pos
	}
	for _, r := range s.Rules {
		check(r.ID, r.Pos)
	}
	for _, x := range s.Exclusions {
		check(x.ID, x.Pos)
	}
	for _, c := range s.Correlations {
		check(c.ID, c.Pos)
	}
	return errs
}
