// Package envconf holds the small checks every RocketMart program applies to
// its environment settings, so that each service's config.go only lists its
// variables and defaults, and every bad value is refused at start-up with a
// message naming the variable.
package envconf

import (
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/url"
	"strconv"
	"strings"
)

// Getter returns a function that reads name through getenv (os.Getenv, or a
// map in tests), trimmed, or def when it is unset or blank.
func Getter(getenv func(string) string) func(name, def string) string {
	return func(name, def string) string {
		if v := strings.TrimSpace(getenv(name)); v != "" {
			return v
		}
		return def
	}
}

// ListenAddr checks a listen address: [HOST]:PORT.
func ListenAddr(name, addr string) error {
	_, err := hostPort(name, addr, true)
	return err
}

// HostPort checks a dial address: HOST:PORT with a host.
func HostPort(name, addr string) error {
	_, err := hostPort(name, addr, false)
	return err
}

// HostPortList checks a list of dial addresses separated by ';' or ','
// (a RocketMQ name-server list such as "ns-0:9876;ns-1:9876").
func HostPortList(name, list string) error {
	n := 0
	for _, a := range strings.FieldsFunc(list, func(r rune) bool { return r == ';' || r == ',' }) {
		if a = strings.TrimSpace(a); a == "" {
			continue
		}
		if _, err := hostPort(name, a, false); err != nil {
			return err
		}
		n++
	}
	if n == 0 {
		return fmt.Errorf("%s=%q: want host:port, or several separated by ';'", name, list)
	}
	return nil
}

func hostPort(name, addr string, emptyHost bool) (string, error) {
	host, port, err := net.SplitHostPort(addr)
	if err != nil || (host == "" && !emptyHost) {
		return "", fmt.Errorf("%s=%q: want host:port such as 127.0.0.1:8080", name, addr)
	}
	if n, err := strconv.Atoi(port); err != nil || n < 0 || n > 65535 {
		return "", fmt.Errorf("%s=%q: port %q is not a number from 0 to 65535", name, addr, port)
	}
	return host, nil
}

// BaseURL checks the base URL of another service: http(s), a host, no query
// or fragment.
func BaseURL(name, raw string) error {
	u, err := url.Parse(raw)
	switch {
	case err != nil:
		return fmt.Errorf("%s=%q: not a URL: %w", name, raw, err)
	case u.Scheme != "http" && u.Scheme != "https":
		return fmt.Errorf("%s=%q: want an http:// or https:// URL such as http://127.0.0.1:8083", name, raw)
	case u.Host == "":
		return fmt.Errorf("%s=%q: the URL has no host", name, raw)
	case u.RawQuery != "" || u.Fragment != "":
		return fmt.Errorf("%s=%q: a base URL takes no query or fragment", name, raw)
	}
	return nil
}

// LogLevel parses debug, info, warn or error.
func LogLevel(name, raw string) (slog.Level, error) {
	var l slog.Level
	if err := l.UnmarshalText([]byte(raw)); err != nil {
		return 0, fmt.Errorf("%s=%q: want debug, info, warn or error", name, raw)
	}
	return l, nil
}

// Token checks a shared secret such as the admin token: not empty, no
// spaces or control characters (it travels in an HTTP header).
func Token(name, token string) error {
	if token == "" || strings.ContainsFunc(token, func(r rune) bool { return r <= ' ' || r == 0x7f }) {
		return errors.New(name + " must be non-empty without spaces or control characters")
	}
	return nil
}

// IntRange parses a whole number from min to max.
func IntRange(name, raw string, min, max int) (int, error) {
	n, err := strconv.Atoi(raw)
	if err != nil || n < min || n > max {
		return 0, fmt.Errorf("%s=%q: want a whole number from %d to %d", name, raw, min, max)
	}
	return n, nil
}

// MaxReconsume reads a consumer's maximum redeliveries before the
// dead-letter queue: 1 to 32, default (unset) 16 as Apache RocketMQ.
func MaxReconsume(name, raw string) (int32, error) {
	n, err := IntRange(name, raw, 1, 32)
	return int32(n), err
}

// ClientLogLevel checks the RocketMQ client's own log level: debug, info,
// warn, error or fatal (fatal silences it in tests and demos).
func ClientLogLevel(name, raw string) error {
	switch raw {
	case "debug", "info", "warn", "error", "fatal":
		return nil
	}
	return fmt.Errorf("%s=%q: want debug, info, warn, error or fatal", name, raw)
}
