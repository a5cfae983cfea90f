package server

import "time"

// Stats is the control app's answer to "stats" in cluster mode; the shape
// and JSON names are Puma's.
type Stats struct {
	StartedAt     time.Time      `json:"started_at"`
	Workers       int            `json:"workers"`
	Phase         int            `json:"phase"`
	BootedWorkers int            `json:"booted_workers"`
	OldWorkers    int            `json:"old_workers"`
	WorkerStatus  []WorkerStatus `json:"worker_status"`
}

// WorkerStatus describes one worker in Stats.
type WorkerStatus struct {
	StartedAt   time.Time `json:"started_at"`
	Pid         int       `json:"pid"`
	Index       int       `json:"index"`
	Phase       int       `json:"phase"`
	Booted      bool      `json:"booted"`
	LastCheckin time.Time `json:"last_checkin"`
	LastStatus  Status    `json:"last_status"`
}

// SingleStats is the answer to "stats" in single mode, Puma's shape.
type SingleStats struct {
	StartedAt time.Time `json:"started_at"`
	Status
}
