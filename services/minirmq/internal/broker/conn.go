package broker

import (
	"bufio"
	"errors"
	"io"
	"net"
	"net/netip"
	"sync"
	"sync/atomic"
	"time"

	"github.com/rocketmart/rocketmart/services/minirmq/internal/remoting"
)

const (
	outboundQueue = 1024
	writeTimeout  = 30 * time.Second
)

// conn is one client TCP connection. Requests are handled in the read loop,
// except pulls that must wait for messages, which wait in their own goroutine.
// All writes go through one writer goroutine so that a slow reader only
// stalls its own connection.
type conn struct {
	b      *Broker
	nc     net.Conn
	remote netip.AddrPort
	out    chan []byte
	done   chan struct{}
	once   sync.Once
	opaque atomic.Int32
}

func newConn(b *Broker, nc net.Conn) *conn {
	remote, _ := netip.ParseAddrPort(nc.RemoteAddr().String())
	return &conn{
		b:      b,
		nc:     nc,
		remote: netip.AddrPortFrom(remote.Addr().Unmap(), remote.Port()),
		out:    make(chan []byte, outboundQueue),
		done:   make(chan struct{}),
	}
}

func (c *conn) serve() {
	go c.writeLoop()
	defer c.close()
	r := bufio.NewReaderSize(c.nc, 64<<10)
	for {
		cmd, err := remoting.ReadCommand(r, c.b.opts.MaxFrameBytes)
		if err != nil {
			c.readFailed(err)
			return
		}
		if cmd.IsResponse() {
			// Answers to our one-way check/notify requests; nothing waits for them.
			continue
		}
		if resp := c.b.dispatch(c, cmd); resp != nil {
			c.reply(resp)
		}
	}
}

// readFailed logs why the read loop ends. Only a frame that does not decode
// (or exceeds the size limit) is a bad frame; a peer that closes or resets
// its connection, even in the middle of a frame, is an ordinary disconnect:
// every official client resets its connections when it shuts down.
func (c *conn) readFailed(err error) {
	switch {
	case errors.Is(err, remoting.ErrBadFrame) || errors.Is(err, remoting.ErrFrameTooLarge):
		c.b.log.Warn("closing connection after a bad frame", "remote", c.remote, "err", err)
		c.b.metrics.badFrames.Inc()
	case errors.Is(err, io.EOF) || errors.Is(err, net.ErrClosed):
		// Closed between frames, by the peer or by us.
	default:
		c.b.log.Debug("connection ended", "remote", c.remote, "err", err)
	}
}

func (c *conn) writeLoop() {
	w := bufio.NewWriterSize(c.nc, 64<<10)
	for {
		select {
		case frame := <-c.out:
			c.nc.SetWriteDeadline(time.Now().Add(writeTimeout))
			if _, err := w.Write(frame); err != nil {
				c.close()
				return
			}
			if len(c.out) == 0 {
				if err := w.Flush(); err != nil {
					c.close()
					return
				}
			}
		case <-c.done:
			return
		}
	}
}

// reply queues a response, waiting while the outbound queue is full.
func (c *conn) reply(cmd *remoting.Command) {
	frame, err := remoting.Encode(cmd)
	if err != nil {
		c.b.log.Error("encode response", "code", cmd.Code, "err", err)
		return
	}
	select {
	case c.out <- frame:
	case <-c.done:
	}
}

// request sends a server-to-client one-way request without blocking; it
// reports false when the connection is gone or its queue is full.
func (c *conn) request(cmd *remoting.Command) bool {
	cmd.Opaque = c.opaque.Add(1)
	frame, err := remoting.Encode(cmd)
	if err != nil {
		c.b.log.Error("encode request", "code", cmd.Code, "err", err)
		return false
	}
	select {
	case <-c.done:
		return false
	default:
	}
	select {
	case c.out <- frame:
		return true
	default:
		c.b.log.Warn("outbound queue full, dropping server request", "remote", c.remote, "code", cmd.Code)
		return false
	}
}

func (c *conn) alive() bool {
	select {
	case <-c.done:
		return false
	default:
		return true
	}
}

func (c *conn) close() {
	c.once.Do(func() {
		close(c.done)
		c.nc.Close()
		c.b.connClosed(c)
		c.b.forgetConn(c)
	})
}
