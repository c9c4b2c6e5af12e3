package launcher

import (
	"fmt"
	"math/rand/v2"
	"net"
)

// choosePorts returns every program's port: the defaults, checked free, or
// free ones picked at random below the kernel's ephemeral range (32768 and
// up on Linux). A port the kernel hands out for bind(0) or an outgoing
// connection can be taken by another process between this check and the
// program's own bind; ports below that range are only taken on purpose.
func choosePorts(free, secondOrder bool) (map[string]int, error) {
	want := map[string]int{Broker.Name: Broker.Port, "minirmq-admin": BrokerAdminPort}
	for _, p := range servers() {
		want[p.Name] = p.Port
	}
	if secondOrder {
		want[SecondOrder] = SecondOrderPort
	}
	taken := map[int]bool{}
	for name, port := range want {
		if !free {
			if !portFree(port) {
				return nil, fmt.Errorf("port %d for %s is in use: is RocketMart already running? (see who holds it: ss -ltnp 'sport = :%d')", port, name, port)
			}
			continue
		}
		for tries := 0; ; tries++ {
			port = freePortLow + rand.IntN(freePortHigh-freePortLow)
			if !taken[port] && portFree(port) {
				break
			}
			if tries == 200 {
				return nil, fmt.Errorf("no free port for %s between %d and %d", name, freePortLow, freePortHigh)
			}
		}
		taken[port] = true
		want[name] = port
	}
	return want, nil
}

// The range free ports are picked from: above the well-known demo ports,
// below the ephemeral range.
const freePortLow, freePortHigh = 20000, 32000

func portFree(port int) bool {
	ln, err := net.Listen("tcp", fmt.Sprintf("127.0.0.1:%d", port))
	if err != nil {
		return false
	}
	ln.Close()
	return true
}
