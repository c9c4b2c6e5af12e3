package store

import (
	"slices"
	"time"
)

// janitor runs retention periodically and right after a segment roll, the
// moment the log most likely outgrew RetainBytes.
func (s *Store) janitor() {
	defer s.wg.Done()
	t := time.NewTicker(retentionInterval)
	defer t.Stop()
	for {
		select {
		case <-s.stop:
			return
		case <-t.C:
		case <-s.kick:
		}
		s.runRetention()
	}
}

// runRetention deletes the oldest segments while the log is over RetainBytes
// or the segment's newest record is older than RetainAge. It never deletes
// the active segment, nor one holding an offset at or above the floor.
func (s *Store) runRetention() {
	s.retMu.Lock()
	defer s.retMu.Unlock()
	if s.closed.Load() {
		return
	}
	o := s.opts
	if o.RetainBytes <= 0 && o.RetainAge <= 0 {
		return
	}
	segs := s.segments()
	now, floor, end := o.Now().UnixMilli(), s.floor.Load(), s.logEnd.Load()
	type victim struct {
		seg    *segment
		reason string
	}
	var victims []victim
	for i := 0; i+1 < len(segs); i++ {
		seg := segs[i]
		if segs[i+1].base > floor {
			break
		}
		reason := ""
		switch {
		case o.RetainBytes > 0 && end-seg.base > o.RetainBytes:
			reason = "size"
		case o.RetainAge > 0 && now-seg.newest.Load() > o.RetainAge.Milliseconds():
			reason = "age"
		}
		if reason == "" {
			break
		}
		victims = append(victims, victim{seg, reason})
	}
	if len(victims) == 0 {
		return
	}
	newMin := segs[len(victims)].base
	// Publish the new minimum before deleting anything, so that readers
	// which see it never reach for a deleted file; those that raced ahead
	// get a read error on a removed segment, which reads as not found.
	s.logMin.Store(newMin)
	if err := s.updateQueueMins(newMin); err != nil {
		s.log.Error("store: retention: update queue min offsets", "err", err)
	}
	s.segMu.Lock()
	rest := slices.Clone(s.segments()[len(victims):])
	s.segs.Store(&rest)
	s.segMu.Unlock()
	for _, v := range victims {
		v.seg.removed.Store(true)
		v.seg.f.Close()
		if err := s.fs.Remove(v.seg.path); err != nil {
			s.log.Error("store: retention: remove segment", "file", v.seg.path, "err", err)
			continue
		}
		s.log.Info("store: retention deleted commit-log segment", "file", v.seg.path, "reason", v.reason,
			"base", v.seg.base, "bytes", v.seg.size.Load(), "newest_store_ms", v.seg.newest.Load())
	}
	s.markDirDirty(s.clDir)
}
