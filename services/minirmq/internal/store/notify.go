package store

// Notify returns a channel that is closed by the next Append to the queue,
// which need not exist yet, or by Close. Long polls wait on it, then re-read.
func (s *Store) Notify(topic string, queueID int32) <-chan struct{} {
	k := queueKey{topic, queueID}
	s.waitMu.Lock()
	defer s.waitMu.Unlock()
	if s.waiters == nil { // closed: wake the caller at once, its next read says ErrClosed
		ch := make(chan struct{})
		close(ch)
		return ch
	}
	ch := s.waiters[k]
	if ch == nil {
		ch = make(chan struct{})
		s.waiters[k] = ch
	}
	return ch
}

func (s *Store) wake(keys []queueKey) {
	s.waitMu.Lock()
	defer s.waitMu.Unlock()
	for _, k := range keys {
		if ch := s.waiters[k]; ch != nil {
			close(ch)
			delete(s.waiters, k)
		}
	}
}

// wakeAll releases every long poll when the store closes.
func (s *Store) wakeAll() {
	s.waitMu.Lock()
	defer s.waitMu.Unlock()
	for _, ch := range s.waiters {
		close(ch)
	}
	s.waiters = nil
}
