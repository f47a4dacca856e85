package rule

import "slices"

// DropDuplicateIDs removes every rule, exclusion or correlation whose id an
// earlier one in the set already uses, and reports each removal. The first
// definition wins, so loading order decides, and the result is stable.
func DropDuplicateIDs(s *Set) ErrorList {
	errs := CheckDuplicateIDs(s)
	if len(errs) == 0 {
		return nil
	}
	seen := map[string]bool{}
	first := func(id string) bool {
		if id == "" {
			return true
		}
		if seen[id] {
			return false
		}
		seen[id] = true
		return true
	}
	s.Rules = slices.DeleteFunc(s.Rules, func(r *Rule) bool { return !first(r.ID) })
	s.Exclusions = slices.DeleteFunc(s.Exclusions, func(x *Exclusion) bool { return !first(x.ID) })
	s.Correlations = slices.DeleteFunc(s.Correlations, func(c *Correlation) bool { return !first(c.ID) })
	return errs
}

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
