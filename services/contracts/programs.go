package contracts

import (
	"fmt"
	"slices"
)

// Service names. A name is the service's folder under services/, its binary
// in bin/, its compose service, its api-docs folder and its gateway path
// (/api/<name>/...). Readers that call one particular service (the audit,
// the gateway's progress page) use these constants; readers that handle
// every service range over Services.
const (
	ServiceInventory = "inventory"
	ServicePayment   = "payment"
	ServiceCart      = "cart"
	ServiceLogistics = "logistics"
	ServicePoints    = "points"
	ServiceOrder     = "order"
)

// Service is one row of the table of RocketMart's services: what the
// launcher, the gateway, the audit, api-docs/gen and the Makefile need to
// know about a service without importing it.
type Service struct {
	// Name is one of the Service* constants.
	Name string
	// Module is the service's Go module path, which is also its main
	// package: what go build takes.
	Module string
	// Port is the default listen port of the embedded run (make run), the
	// one <EnvPrefix>_ADDR defaults to (on 127.0.0.1) and the container
	// listens on in docker compose and Kubernetes.
	Port int
	// EnvPrefix starts the names of the service's own variables:
	// <EnvPrefix>_ADDR, <EnvPrefix>_DB, and <EnvPrefix>_URL, which other
	// programs read its base URL from.
	EnvPrefix string
	// AdminAPI says the service serves /api/v1/admin/... behind ADMIN_TOKEN,
	// which the audit and the gateway's progress page read.
	AdminAPI bool
	// Consumes lists the topics the service subscribes to, each with its own
	// consumer group.
	Consumes []Subscription
}

// Subscription is one consumer group of a service on one topic.
type Subscription struct {
	Topic string // a Topic* constant
	Group string // a Consumer* constant
}

// AddrVar is the variable the service reads its listen address from.
func (s Service) AddrVar() string { return s.EnvPrefix + "_ADDR" }

// FaultsVar is the variable the service reads the training faults to arm at
// start from.
func (s Service) FaultsVar() string { return s.EnvPrefix + "_FAULTS" }

// DBVar is the variable the service reads its database DSN from.
func (s Service) DBVar() string { return s.EnvPrefix + "_DB" }

// DefaultAddr is AddrVar's default: loopback, the row's port. A service
// trusts X-User-ID and has a public default admin token, so on its own it
// listens for this machine only; a deployment sets the address (and a token
// of its own) explicitly.
func (s Service) DefaultAddr() string { return fmt.Sprintf("127.0.0.1:%d", s.Port) }

// DefaultDB is DBVar's default in the embedded run: a SQLite file named
// after the service under data/, relative to where the program starts.
func (s Service) DefaultDB() string { return "sqlite:data/" + s.Name + ".db" }

// MaxReconsumeVar is the variable the service reads its consumers' maximum
// redeliveries from (before a message goes to the dead-letter queue).
func (s Service) MaxReconsumeVar() string { return s.EnvPrefix + "_MAX_RECONSUME" }

// URLVar is the variable other programs read the service's base URL from.
func (s Service) URLVar() string { return s.EnvPrefix + "_URL" }

// DefaultURL is the service's base URL in the embedded run: what URLVar
// defaults to.
func (s Service) DefaultURL() string { return fmt.Sprintf("http://127.0.0.1:%d", s.Port) }

// Dir is the service's folder, relative to the repository root.
func (s Service) Dir() string { return "services/" + s.Name }

const modulePrefix = "github.com/rocketmart/rocketmart/services/"

// services is the table. Its order is the start order: the order service
// last, since it calls inventory, payment and cart and is the one the
// storefront calls first. Adding a service means its folder, one row here,
// and its docker compose and Kubernetes entries (deploy's tests check those).
var services = []Service{
	{Name: ServiceInventory, Module: modulePrefix + ServiceInventory, Port: 8083, EnvPrefix: "INVENTORY", AdminAPI: true,
		Consumes: []Subscription{
			{Topic: TopicOrderPaid, Group: ConsumerInventoryOrderPaid},
			{Topic: TopicOrderCancelled, Group: ConsumerInventoryOrderCancelled},
			{Topic: TopicOrderRefunded, Group: ConsumerInventoryOrderRefunded},
		}},
	{Name: ServicePayment, Module: modulePrefix + ServicePayment, Port: 8082, EnvPrefix: "PAYMENT", AdminAPI: true,
		Consumes: []Subscription{
			{Topic: TopicOrderCancelled, Group: ConsumerPaymentOrderCancelled},
			{Topic: TopicOrderRefunded, Group: ConsumerPaymentOrderRefunded},
		}},
	{Name: ServiceCart, Module: modulePrefix + ServiceCart, Port: 8086, EnvPrefix: "CART", AdminAPI: true,
		Consumes: []Subscription{{Topic: TopicOrderPaid, Group: ConsumerCartOrderPaid}}},
	{Name: ServiceLogistics, Module: modulePrefix + ServiceLogistics, Port: 8084, EnvPrefix: "LOGISTICS", AdminAPI: true,
		Consumes: []Subscription{
			{Topic: TopicOrderPaid, Group: ConsumerLogisticsOrderPaid},
			{Topic: TopicOrderRefunded, Group: ConsumerLogisticsOrderRefunded},
		}},
	{Name: ServicePoints, Module: modulePrefix + ServicePoints, Port: 8085, EnvPrefix: "POINTS", AdminAPI: true,
		Consumes: []Subscription{
			{Topic: TopicOrderPaid, Group: ConsumerPointsOrderPaid},
			{Topic: TopicOrderCancelled, Group: ConsumerPointsOrderCancelled},
			{Topic: TopicOrderRefunded, Group: ConsumerPointsOrderRefunded},
		}},
	{Name: ServiceOrder, Module: modulePrefix + ServiceOrder, Port: 8081, EnvPrefix: "ORDER", AdminAPI: true,
		Consumes: []Subscription{
			{Topic: TopicOrderTimeout, Group: ConsumerOrderOrderTimeout},
			{Topic: TopicShipmentShipped, Group: ConsumerOrderShipmentShipped},
			{Topic: TopicShipmentDelivered, Group: ConsumerOrderShipmentDelivered},
			{Topic: TopicOrderRefunded, Group: ConsumerOrderOrderRefunded},
		}},
}

// Services returns the table in start order. It is a copy, so no reader can
// change what the others see.
func Services() []Service {
	out := slices.Clone(services)
	for i := range out {
		out[i].Consumes = slices.Clone(out[i].Consumes)
	}
	return out
}

// ServiceNames returns the services' names in start order.
func ServiceNames() []string {
	out := make([]string, len(services))
	for i, s := range services {
		out[i] = s.Name
	}
	return out
}

// ServiceByName returns the row of the service called name.
func ServiceByName(name string) (Service, bool) {
	for _, s := range Services() {
		if s.Name == name {
			return s, true
		}
	}
	return Service{}, false
}

// MustService returns the row of the service called name, for a program
// that knows its own name at compile time (its config.go reads its shared
// settings through the row). It panics on a name without a row: a
// programming error every service's config test reaches, like
// regexp.MustCompile on a bad literal.
func MustService(name string) Service {
	s, ok := ServiceByName(name)
	if !ok {
		panic(fmt.Sprintf("contracts: no service called %q in the table", name))
	}
	return s
}
