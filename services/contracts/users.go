package contracts

// DemoUser is a seeded shop user. Every service checks the X-User-ID header
// against this list; the payment service opens a wallet for each with the
// initial balance.
type DemoUser struct {
	ID                  string
	Name                string
	InitialBalanceCents int64
}

// DemoUsers are the seeded users: two with money to spend and one who is
// short of it, so the declined-payment path can be shown.
var DemoUsers = []DemoUser{
	{ID: "alice", Name: "Alice Rich", InitialBalanceCents: 1_000_000},
	{ID: "bob", Name: "Bob Comfortable", InitialBalanceCents: 250_000},
	{ID: "carol", Name: "Carol Poor", InitialBalanceCents: 1_500},
}

// IsDemoUser reports whether id is a seeded user.
func IsDemoUser(id string) bool {
	for _, u := range DemoUsers {
		if u.ID == id {
			return true
		}
	}
	return false
}
