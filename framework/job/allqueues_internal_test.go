package job

import (
	"errors"
	"slices"
	"testing"
)

func TestReadyQueuesOrder(t *testing.T) {
	t.Parallel()
	tests := []struct {
		ready map[string]int
		want  []string
	}{
		{nil, []string{}},
		{map[string]int{"mailers": 2, "default": 1, "low": 3}, []string{"default", "low", "mailers"}},
		{map[string]int{"mailers": 0, "critical": 1}, []string{"critical"}},
	}
	for _, tt := range tests {
		if got := readyQueues(Stats{Ready: tt.ready}); !slices.Equal(got, tt.want) {
			t.Errorf("readyQueues(%v) = %v, want %v", tt.ready, got, tt.want)
		}
	}
}

func TestAllQueuesExcludesQueues(t *testing.T) {
	t.Parallel()
	cfg := WorkerConfig{AllQueues: true, Queues: []QueueWeight{{Name: "low"}}}.withDefaults()
	if err := cfg.validate(); !errors.Is(err, ErrInvalidConfig) {
		t.Errorf("AllQueues with Queues: %v, want ErrInvalidConfig", err)
	}
	cfg = WorkerConfig{AllQueues: true}.withDefaults()
	if err := cfg.validate(); err != nil || len(cfg.Queues) != 0 {
		t.Errorf("AllQueues alone: %v, queues %v", err, cfg.Queues)
	}
}
