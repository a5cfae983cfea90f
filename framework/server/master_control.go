//go:build unix

package server

import (
	"cmp"
	"encoding/json"
	"slices"
)

func (m *master) stats() Stats {
	s := Stats{StartedAt: m.startedAt.UTC(), Workers: m.desired, Phase: m.phase, WorkerStatus: []WorkerStatus{}}
	for _, w := range m.workers {
		if w.booted {
			s.BootedWorkers++
		}
		if w.phase != m.phase {
			s.OldWorkers++
		}
		s.WorkerStatus = append(s.WorkerStatus, WorkerStatus{
			StartedAt:   w.startedAt.UTC(),
			Pid:         w.pid,
			Index:       w.index,
			Phase:       w.phase,
			Booted:      w.booted,
			LastCheckin: w.lastCheckin.UTC(),
			LastStatus:  w.lastStatus,
		})
	}
	slices.SortStableFunc(s.WorkerStatus, func(a, b WorkerStatus) int { return cmp.Or(a.Index-b.Index, a.Phase-b.Phase) })
	return s
}

// onCommand answers a control command; a true result ends the loop.
func (m *master) onCommand(c command) (action, bool) {
	switch c.name {
	case "stats":
		b, err := json.Marshal(m.stats())
		c.reply <- reply{body: b, err: err}
	case "phased-restart":
		m.phasedRestart()
		c.reply <- reply{body: []byte(okBody)}
	case "restart", "stop", "halt":
		c.reply <- reply{body: []byte(okBody)}
		return map[string]action{"restart": actRestart, "stop": actStop, "halt": actHalt}[c.name], true
	default:
		c.reply <- reply{err: errUnknownCommand}
	}
	return 0, false
}
