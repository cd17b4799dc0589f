package api

import (
	"crypto/subtle"
	"fmt"
	"net"
	"net/http"
	"strings"
)

// RequireToken wraps next so that it answers only requests carrying
// "Authorization: Bearer <token>" (the scheme in any case, RFC 7235);
// others get 401 with a JSON error. With token "" it returns next: the
// caller decides whether an open endpoint is acceptable (a loopback
// listener, see CheckHost).
func RequireToken(token string, next http.Handler) http.Handler {
	if token == "" {
		return next
	}
	want := []byte(token)
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if subtle.ConstantTimeCompare(bearer(r.Header.Get("Authorization")), want) != 1 {
			w.Header().Set("WWW-Authenticate", `Bearer realm="voc"`)
			writeError(w, http.StatusUnauthorized, &apiError{Code: "unauthorized", Message: "missing or wrong bearer token"})
			return
		}
		next.ServeHTTP(w, r)
	})
}

// bearer returns the credentials of a Bearer Authorization header value
// (nil for another scheme). The scheme is case-insensitive and may be
// followed by several spaces.
func bearer(v string) []byte {
	scheme, cred, ok := strings.Cut(strings.TrimSpace(v), " ")
	if !ok || !strings.EqualFold(scheme, "Bearer") {
		return nil
	}
	return []byte(strings.TrimLeft(cred, " "))
}

// CheckHost guards a whole listener against DNS rebinding: a web page of
// another site whose name the attacker points at 127.0.0.1 reaches a
// loopback listener from the victim's browser, same-origin, and could read
// the verbatims. So on a loopback listen address without a token, only
// requests whose Host is a loopback name are served: localhost,
// 127.0.0.0/8 and [::1], with any port (and requests with no Host at all,
// which no browser sends). Others get 403. A token, or a listener on
// another address (which then has one, or was opened on purpose without),
// turns the check off: names are whatever the deployment uses.
func CheckHost(next http.Handler, listen, token string) http.Handler {
	host, _, err := net.SplitHostPort(listen)
	if err != nil || token != "" || !IsLoopback(host) {
		return next
	}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Host != "" && !IsLoopback(hostOf(r.Host)) {
			writeError(w, http.StatusForbidden, &apiError{Code: "bad_host",
				Message: fmt.Sprintf("host %q not served: a loopback listener without a token answers only localhost, 127.0.0.1 and [::1]; set a token to serve other names", r.Host)})
			return
		}
		next.ServeHTTP(w, r)
	})
}

// IsLoopback reports whether host (a name or an IP address, without port
// or brackets) is localhost or a loopback address.
func IsLoopback(host string) bool {
	host = strings.TrimSuffix(host, ".")
	if strings.EqualFold(host, "localhost") {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

// hostOf strips the port and the brackets of an IPv6 literal from a Host
// header value.
func hostOf(hostport string) string {
	if h, _, err := net.SplitHostPort(hostport); err == nil {
		return h
	}
	return strings.TrimSuffix(strings.TrimPrefix(hostport, "["), "]")
}

// limit answers 503 with Retry-After when h.cfg.MaxConcurrent requests
// are already in progress, instead of queueing them: a burst of slow
// queries then costs its excess a fast refusal rather than everybody a
// long wait (and ClickHouse the whole burst at once).
func (h *Handler) limit(next http.Handler) http.Handler {
	if h.sem == nil {
		return next
	}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if !h.acquire() {
			busy(w, cap(h.sem))
			return
		}
		defer h.release()
		next.ServeHTTP(w, r)
	})
}

// acquire takes a request slot if one is free; release gives it back.
func (h *Handler) acquire() bool {
	if h.sem == nil {
		return true
	}
	select {
	case h.sem <- struct{}{}:
		return true
	default:
		return false
	}
}

func (h *Handler) release() {
	if h.sem != nil {
		<-h.sem
	}
}

// RetryAfter is the Retry-After of a 503 answer, in seconds.
const RetryAfter = "1"

func busy(w http.ResponseWriter, n int) {
	w.Header().Set("Retry-After", RetryAfter)
	writeError(w, http.StatusServiceUnavailable, &apiError{Code: "busy",
		Message: fmt.Sprintf("%d requests are in progress already; retry later", n)})
}
