package job

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/redis/go-redis/v9"
)

// RedisBackend keeps jobs in Redis with a reliable fetch: claiming moves a
// job atomically from its queue's list to the worker's own in-flight list
// (a Lua script), where it stays until the worker records the outcome. A
// worker that dies stops renewing its lease in the workers sorted set, and
// any worker's rescuer moves its in-flight jobs back to their queue, one
// atomic move per job, so a kill -9 loses nothing (Sidekiq's basic fetch
// would). Scheduled and retrying jobs wait in per-queue sorted sets and are
// moved to the queue by the claim script when due. Each priority of a queue
// has its own FIFO list, and a claim drains the lists lowest priority
// first (a sorted set records the priorities in use). Redis Cluster is not
// supported: the scripts touch keys of several hash slots. Safe for
// concurrent use.
type RedisBackend struct {
	rdb    redis.UniversalClient
	prefix string
}

var _ Store = (*RedisBackend)(nil)

// Redis returns a backend on rdb whose keys start with prefix + ":"
// ("gorails:jobs" when empty). Several apps can share one Redis with
// different prefixes.
func Redis(rdb redis.UniversalClient, prefix string) *RedisBackend {
	if prefix == "" {
		prefix = "gorails:jobs"
	}
	return &RedisBackend{rdb: rdb, prefix: prefix}
}

// ready is the list of queue's available jobs of priority prio. The claim
// script builds the same names ("<q key>:p<prio>").
func (b *RedisBackend) ready(queue string, prio int) string {
	if prio == 0 {
		return b.key("q", queue)
	}
	return b.key("q", queue) + ":p" + strconv.Itoa(prio)
}

// addPriority records that queue has (or had) jobs of priority prio.
func (b *RedisBackend) addPriority(ctx context.Context, p redis.Cmdable, queue string, prio int) {
	p.ZAdd(ctx, b.key("prios", queue), redis.Z{Score: float64(prio), Member: strconv.Itoa(prio)})
}

func (b *RedisBackend) key(parts ...string) string {
	k := b.prefix
	for _, p := range parts {
		k += ":" + p
	}
	return k
}

func (b *RedisBackend) encode(r *Record) (string, error) {
	st, raw := r.State, r.raw
	r.State, r.raw = "", ""
	data, err := json.Marshal(r)
	r.State, r.raw = st, raw
	return string(data), err
}

// Enqueue stores r: in its queue, or in the queue's scheduled set.
func (b *RedisBackend) Enqueue(ctx context.Context, r *Record) error {
	id, err := b.rdb.Incr(ctx, b.key("seq")).Result()
	if err != nil {
		return err
	}
	r.ID = id
	if r.UniqueKey != "" {
		hold, gc := "active", int64(0)
		if r.UniqueKey[0] != 'a' {
			hold = strconv.FormatInt(micros(r.UniqueUntil), 10)
			gc = r.UniqueUntil.Sub(r.CreatedAt).Milliseconds() + uniqueGC
		}
		ok, err := uniqueScript.Run(ctx, b.rdb, []string{b.key("u", r.UniqueKey)}, micros(r.CreatedAt), hold, gc).Int()
		if err != nil {
			return err
		}
		if ok == 0 {
			return ErrDuplicate
		}
	}
	payload, err := b.encode(r)
	if err != nil {
		return err
	}
	_, err = b.rdb.TxPipelined(ctx, func(p redis.Pipeliner) error {
		p.SAdd(ctx, b.key("queues"), r.Queue)
		b.addPriority(ctx, p, r.Queue, r.Priority)
		if r.RunAt.After(r.CreatedAt) {
			p.ZAdd(ctx, b.key("sched", r.Queue), redis.Z{Score: float64(micros(r.RunAt)), Member: payload})
		} else {
			p.LPush(ctx, b.ready(r.Queue, r.Priority), payload)
		}
		return nil
	})
	if err != nil && r.UniqueKey != "" {
		b.rdb.Del(context.WithoutCancel(ctx), b.key("u", r.UniqueKey)) // best effort: the job was not stored
	}
	return err
}

// uniqueGC is how long (ms) a unique key outlives its period in Redis; the
// period itself is checked against the client's clock.
const uniqueGC = 3600 * 1000

// uniqueScript takes a unique key: free when absent or when it holds a
// period end (microseconds) not after now; "active" holds it until the job
// finishes.
var uniqueScript = redis.NewScript(`
local v = redis.call('GET', KEYS[1])
if v and (v == 'active' or tonumber(v) > tonumber(ARGV[1])) then return 0 end
redis.call('SET', KEYS[1], ARGV[2])
if ARGV[3] ~= '0' then redis.call('PEXPIRE', KEYS[1], ARGV[3]) end
return 1`)

// claimScript promotes due scheduled and retrying jobs of one queue to the
// list of their priority, renews the worker's lease and moves up to limit
// jobs to its in-flight list, lowest priority first (priority 0, the
// default, is always looked at).
var claimScript = redis.NewScript(`
local function ready(p)
  if p == 0 then return KEYS[1] end
  return KEYS[1] .. ':p' .. p
end
for _, z in ipairs({KEYS[4], KEYS[5]}) do
  local due = redis.call('ZRANGEBYSCORE', z, '-inf', ARGV[4], 'LIMIT', 0, 1000)
  for _, v in ipairs(due) do
    redis.call('ZREM', z, v)
    local ok, d = pcall(cjson.decode, v) -- a payload that is not a job must not stop every claim
    local p = 0
    if ok and type(d) == 'table' then p = math.floor(tonumber(d['priority']) or 0) end
    redis.call('ZADD', KEYS[6], p, p)
    redis.call('LPUSH', ready(p), v)
  end
end
redis.call('ZADD', KEYS[3], ARGV[2], ARGV[3])
local order, zero = {}, false
for _, m in ipairs(redis.call('ZRANGE', KEYS[6], 0, -1)) do
  local p = tonumber(m)
  if not zero and p >= 0 then
    zero = true
    if p ~= 0 then order[#order+1] = 0 end
  end
  order[#order+1] = p
end
if not zero then order[#order+1] = 0 end
local out, limit = {}, tonumber(ARGV[1])
for _, p in ipairs(order) do
  local k = ready(p)
  while #out < limit do
    local v = redis.call('RPOPLPUSH', k, KEYS[2])
    if not v then break end
    out[#out+1] = v
  end
  if #out >= limit then break end
end
return out`)

// Claim moves up to limit due jobs of queue to worker's in-flight list.
func (b *RedisBackend) Claim(ctx context.Context, worker, queue string, limit int, now, leaseUntil time.Time) ([]*Record, error) {
	keys := []string{b.key("q", queue), b.key("inflight", worker), b.key("workers"), b.key("sched", queue), b.key("retry", queue), b.key("prios", queue)}
	vals, err := claimScript.Run(ctx, b.rdb, keys, limit, micros(leaseUntil), worker, micros(now)).StringSlice()
	if err != nil && !errors.Is(err, redis.Nil) {
		return nil, fmt.Errorf("claim: %w", err)
	}
	out := make([]*Record, 0, len(vals))
	for _, v := range vals {
		// A payload that does not decode is handed to the worker with the
		// error, which fails it into the dead set with the reason.
		r, bad := decodeRedisPayload(v)
		r.raw, r.Worker, r.State, r.bad = v, worker, Running, bad
		r.Attempt++
		out = append(out, r)
	}
	return out, nil
}

// settleScript removes a job from an in-flight list and, if it was there,
// files its new payload (LPUSH to a list, RPUSH to put it next, ZADD to a
// sorted set, or nothing) and releases or expires its unique key.
var settleScript = redis.NewScript(`
if redis.call('LREM', KEYS[1], 1, ARGV[1]) == 0 then return 0 end
if ARGV[2] == 'zadd' then redis.call('ZADD', KEYS[2], ARGV[3], ARGV[4])
elseif ARGV[2] == 'rpush' then redis.call('RPUSH', KEYS[2], ARGV[4]) end
if ARGV[5] == 'del' then redis.call('DEL', KEYS[3])
elseif ARGV[5] == 'expire' then redis.call('SET', KEYS[3], ARGV[6], 'PX', ARGV[8]) end
if ARGV[7] ~= '' then redis.call('INCR', KEYS[4]) end
return 1`)

// settle files r (removed from worker's in-flight list) under op/dest.
func (b *RedisBackend) settle(ctx context.Context, worker string, r *Record, op, dest string, score int64, payload string, releaseUnique bool, now time.Time, counter string) error {
	keys, args := b.settleArgs(worker, r, op, dest, score, payload, releaseUnique, now, counter)
	return settleScript.Run(ctx, b.rdb, keys, args...).Err()
}

func (b *RedisBackend) settleArgs(worker string, r *Record, op, dest string, score int64, payload string, releaseUnique bool, now time.Time, counter string) ([]string, []any) {
	uop, until, gc := "", int64(0), int64(0)
	if releaseUnique && r.UniqueKey != "" && r.UniqueKey[0] == 'a' {
		if r.UniqueUntil.After(now) {
			uop, until, gc = "expire", micros(r.UniqueUntil), r.UniqueUntil.Sub(now).Milliseconds()+uniqueGC
		} else {
			uop = "del"
		}
	}
	if dest == "" {
		dest = b.key("none")
	}
	keys := []string{b.key("inflight", worker), dest, b.key("u", r.UniqueKey), b.key("stat", counter)}
	return keys, []any{r.raw, op, score, payload, uop, until, counter, gc}
}

// Complete removes the job from the in-flight list.
func (b *RedisBackend) Complete(ctx context.Context, r *Record, now time.Time) error {
	if err := b.settle(ctx, r.Worker, r, "none", "", 0, "", true, now, "processed"); err != nil {
		return fmt.Errorf("complete %d: %w", r.ID, err)
	}
	return nil
}

// CompleteMany completes rs in one pipeline.
func (b *RedisBackend) CompleteMany(ctx context.Context, rs []*Record, now time.Time) error {
	if err := settleScript.Load(ctx, b.rdb).Err(); err != nil {
		return fmt.Errorf("complete: %w", err)
	}
	_, err := b.rdb.Pipelined(ctx, func(p redis.Pipeliner) error {
		for _, r := range rs {
			keys, args := b.settleArgs(r.Worker, r, "none", "", 0, "", true, now, "processed")
			settleScript.EvalSha(ctx, p, keys, args...)
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("complete %d jobs: %w", len(rs), err)
	}
	return nil
}

// Retry moves the job to its queue's retry set, due at at.
func (b *RedisBackend) Retry(ctx context.Context, r *Record, at time.Time, errText string) error {
	next := *r
	next.LastError, next.RunAt = errText, at.UTC()
	payload, err := b.encode(&next)
	if err == nil {
		err = b.settle(ctx, r.Worker, r, "zadd", b.key("retry", r.Queue), micros(at), payload, false, at, "failed")
	}
	if err != nil {
		return fmt.Errorf("retry %d: %w", r.ID, err)
	}
	return nil
}

// Kill moves the job to the dead set.
func (b *RedisBackend) Kill(ctx context.Context, r *Record, errText string, now time.Time) error {
	next := *r
	next.LastError = errText
	payload, err := b.encode(&next)
	if err == nil {
		err = b.settle(ctx, r.Worker, r, "zadd", b.key("dead"), micros(now), payload, true, now, "failed")
	}
	if err != nil {
		return fmt.Errorf("kill %d: %w", r.ID, err)
	}
	return nil
}

// Release puts the job back at the head of its queue, as it was claimed.
func (b *RedisBackend) Release(ctx context.Context, r *Record) error {
	if err := b.settle(ctx, r.Worker, r, "rpush", b.ready(r.Queue, r.Priority), 0, r.raw, false, time.Time{}, ""); err != nil {
		return fmt.Errorf("release %d: %w", r.ID, err)
	}
	return nil
}

// Heartbeat renews worker's lease.
func (b *RedisBackend) Heartbeat(ctx context.Context, worker string, _, leaseUntil time.Time) error {
	if err := b.rdb.ZAdd(ctx, b.key("workers"), redis.Z{Score: float64(micros(leaseUntil)), Member: worker}).Err(); err != nil {
		return fmt.Errorf("heartbeat: %w", err)
	}
	return nil
}

// forgetScript drops a worker whose lease is still expired and whose
// in-flight list is empty.
var forgetScript = redis.NewScript(`
local s = redis.call('ZSCORE', KEYS[1], ARGV[1])
if s and tonumber(s) < tonumber(ARGV[2]) and redis.call('LLEN', KEYS[2]) == 0 then
  redis.call('ZREM', KEYS[1], ARGV[1])
end
return 0`)

// Rescue returns the in-flight jobs of workers whose lease expired to the
// head of their queue (the lost attempt counts; a job that used its last
// attempt goes to the dead set).
func (b *RedisBackend) Rescue(ctx context.Context, now time.Time) (int, error) {
	lost, err := b.rdb.ZRangeByScore(ctx, b.key("workers"), &redis.ZRangeBy{Min: "-inf", Max: "(" + strconv.FormatInt(micros(now), 10)}).Result()
	if err != nil {
		return 0, fmt.Errorf("rescue: %w", err)
	}
	n := 0
	for _, w := range lost {
		k, err := b.handBack(ctx, w, lostError, now, micros(now))
		n += k
		if err != nil {
			return n, fmt.Errorf("rescue: %w", err)
		}
	}
	return n, nil
}

// RescueWorker returns the in-flight jobs of the workers whose ID starts
// with prefix (a process known to have exited, see WorkerPrefix) to the
// head of their queue at once, as Rescue does once their leases expire.
func (b *RedisBackend) RescueWorker(ctx context.Context, prefix string, now time.Time) (int, error) {
	if prefix == "" {
		return 0, fmt.Errorf("%w: rescue a worker: empty prefix", ErrInvalidConfig)
	}
	all, err := b.rdb.ZRange(ctx, b.key("workers"), 0, -1).Result()
	if err != nil {
		return 0, fmt.Errorf("rescue worker %s: %w", prefix, err)
	}
	n := 0
	for _, w := range all {
		if !strings.HasPrefix(w, prefix) {
			continue
		}
		k, err := b.handBack(ctx, w, exitedError, now, math.MaxInt64)
		n += k
		if err != nil {
			return n, fmt.Errorf("rescue worker %s: %w", prefix, err)
		}
	}
	return n, nil
}

// LeaseHolders lists the workers that hold (or held) a lease.
func (b *RedisBackend) LeaseHolders(ctx context.Context) ([]string, error) {
	out, err := b.rdb.ZRange(ctx, b.key("workers"), 0, -1).Result()
	if err != nil {
		return nil, fmt.Errorf("lease holders: %w", err)
	}
	return out, nil
}

// handBack moves worker w's in-flight jobs back to their queues (or the
// dead set), recording why, then forgets w if its lease ends before
// forgetBefore and its list is empty.
func (b *RedisBackend) handBack(ctx context.Context, w, why string, now time.Time, forgetBefore int64) (int, error) {
	items, err := b.rdb.LRange(ctx, b.key("inflight", w), 0, -1).Result()
	if err != nil {
		return 0, err
	}
	n := 0
	for _, v := range items {
		r := &Record{}
		if err := json.Unmarshal([]byte(v), r); err != nil {
			r = &Record{MaxAttempts: 1} // not a job: to the dead set
		}
		r.raw = v
		r.Attempt++
		r.LastError = why
		payload, err := b.encode(r)
		if err != nil {
			continue
		}
		if r.Attempt >= r.MaxAttempts {
			err = b.settle(ctx, w, r, "zadd", b.key("dead"), micros(now), payload, true, now, "failed")
		} else {
			err = b.settle(ctx, w, r, "rpush", b.ready(r.Queue, r.Priority), 0, payload, false, now, "")
		}
		if err != nil {
			return n, err
		}
		n++
	}
	if err := forgetScript.Run(ctx, b.rdb, []string{b.key("workers"), b.key("inflight", w)}, w, forgetBefore).Err(); err != nil && !errors.Is(err, redis.Nil) {
		return n, err
	}
	return n, nil
}

// Stats counts jobs by queue and state.
func (b *RedisBackend) Stats(ctx context.Context, now time.Time) (Stats, error) {
	st := Stats{Ready: map[string]int{}}
	queues, err := b.rdb.SMembers(ctx, b.key("queues")).Result()
	if err != nil {
		return st, fmt.Errorf("stats: %w", err)
	}
	workers, err := b.rdb.ZRange(ctx, b.key("workers"), 0, -1).Result()
	if err != nil {
		return st, fmt.Errorf("stats: %w", err)
	}
	p := b.rdb.Pipeline()
	type count struct {
		into  *int
		queue string
		cmd   *redis.IntCmd
	}
	var cs []count
	for _, q := range queues {
		prios, err := b.priorities(ctx, q)
		if err != nil {
			return st, fmt.Errorf("stats: %w", err)
		}
		for _, prio := range prios {
			cs = append(cs, count{queue: q, cmd: p.LLen(ctx, b.ready(q, prio))})
		}
		cs = append(cs, count{into: &st.Scheduled, cmd: p.ZCard(ctx, b.key("sched", q))},
			count{into: &st.Retrying, cmd: p.ZCard(ctx, b.key("retry", q))})
	}
	for _, w := range workers {
		cs = append(cs, count{into: &st.Running, cmd: p.LLen(ctx, b.key("inflight", w))})
	}
	cs = append(cs, count{into: &st.Dead, cmd: p.ZCard(ctx, b.key("dead"))})
	if _, err := p.Exec(ctx); err != nil {
		return st, fmt.Errorf("stats: %w", err)
	}
	for _, c := range cs {
		if c.into == nil {
			st.Ready[c.queue] += int(c.cmd.Val())
			continue
		}
		*c.into += int(c.cmd.Val())
	}
	return st, nil
}

// priorities lists the priorities queue has lists for, 0 always included.
func (b *RedisBackend) priorities(ctx context.Context, queue string) ([]int, error) {
	ms, err := b.rdb.ZRange(ctx, b.key("prios", queue), 0, -1).Result()
	if err != nil {
		return nil, err
	}
	out := []int{0}
	for _, m := range ms {
		if p, err := strconv.Atoi(m); err == nil && p != 0 {
			out = append(out, p)
		}
	}
	return out, nil
}

// DeadJobs lists up to limit dead jobs, newest first.
func (b *RedisBackend) DeadJobs(ctx context.Context, limit int) ([]*Record, error) {
	stop := int64(limit) - 1 // limit < 0: all
	if limit < 0 {
		stop = -1
	}
	vals, err := b.rdb.ZRevRange(ctx, b.key("dead"), 0, stop).Result()
	if err != nil {
		return nil, fmt.Errorf("dead jobs: %w", err)
	}
	out := make([]*Record, 0, len(vals))
	for _, v := range vals {
		r := &Record{}
		if json.Unmarshal([]byte(v), r) == nil {
			r.raw, r.State = v, Dead
			out = append(out, r)
		}
	}
	return out, nil
}

// reviveScript moves a dead payload back to a queue (fresh attempts) or drops it.
var reviveScript = redis.NewScript(`
if redis.call('ZREM', KEYS[1], ARGV[1]) == 0 then return 0 end
if ARGV[2] ~= '' then redis.call('LPUSH', KEYS[2], ARGV[2]) end
return 1`)

func (b *RedisBackend) findDead(ctx context.Context, id int64) (*Record, error) {
	dead, err := b.DeadJobs(ctx, -1)
	if err != nil {
		return nil, err
	}
	for _, r := range dead {
		if r.ID == id {
			return r, nil
		}
	}
	return nil, ErrNotFound
}

// RetryDead puts dead job id back on its queue with fresh attempts.
func (b *RedisBackend) RetryDead(ctx context.Context, id int64, now time.Time) error {
	r, err := b.findDead(ctx, id)
	if err == nil {
		next := *r
		next.Attempt, next.RunAt, next.State = 0, now, ""
		var payload string
		if payload, err = b.encode(&next); err == nil {
			var n int
			b.addPriority(ctx, b.rdb, r.Queue, r.Priority)
			n, err = reviveScript.Run(ctx, b.rdb, []string{b.key("dead"), b.ready(r.Queue, r.Priority)}, r.raw, payload).Int()
			if err == nil && n == 0 {
				err = ErrNotFound
			}
		}
	}
	if err != nil {
		return fmt.Errorf("retry dead job %d: %w", id, err)
	}
	return nil
}

// DiscardDead deletes dead job id.
func (b *RedisBackend) DiscardDead(ctx context.Context, id int64) error {
	r, err := b.findDead(ctx, id)
	if err == nil {
		var n int
		n, err = reviveScript.Run(ctx, b.rdb, []string{b.key("dead"), b.key("none")}, r.raw, "").Int()
		if err == nil && n == 0 {
			err = ErrNotFound
		}
	}
	if err != nil {
		return fmt.Errorf("discard dead job %d: %w", id, err)
	}
	return nil
}

// moveWaitingScript takes a payload out of a waiting set and, to run it now,
// pushes it on its priority's list; discarding it releases a unique key
// held while active.
var moveWaitingScript = redis.NewScript(`
if redis.call('ZREM', KEYS[1], ARGV[1]) == 0 then return 0 end
if ARGV[2] ~= '' then
  redis.call('ZADD', KEYS[3], ARGV[2], ARGV[2])
  redis.call('LPUSH', KEYS[2], ARGV[1])
elseif ARGV[3] == 'del' then
  redis.call('DEL', KEYS[4])
end
return 1`)

// findWaiting finds waiting job id and the sorted set holding it.
func (b *RedisBackend) findWaiting(ctx context.Context, id int64) (*Record, string, error) {
	queues, err := b.rdb.SMembers(ctx, b.key("queues")).Result()
	if err != nil {
		return nil, "", err
	}
	for _, q := range queues {
		for _, set := range []string{b.key("sched", q), b.key("retry", q)} {
			vals, err := b.rdb.ZRange(ctx, set, 0, -1).Result()
			if err != nil {
				return nil, "", err
			}
			for _, v := range vals {
				r := &Record{}
				if json.Unmarshal([]byte(v), r) == nil && r.ID == id {
					r.raw = v
					return r, set, nil
				}
			}
		}
	}
	return nil, "", ErrNotFound
}

// moveWaiting runs (run) or discards waiting job id.
func (b *RedisBackend) moveWaiting(ctx context.Context, id int64, run bool) error {
	r, set, err := b.findWaiting(ctx, id)
	if err != nil {
		return err
	}
	prio, unique := "", ""
	if run {
		prio = strconv.Itoa(r.Priority)
	} else if r.UniqueKey != "" && r.UniqueKey[0] == 'a' {
		unique = "del"
	}
	keys := []string{set, b.ready(r.Queue, r.Priority), b.key("prios", r.Queue), b.key("u", r.UniqueKey)}
	n, err := moveWaitingScript.Run(ctx, b.rdb, keys, r.raw, prio, unique).Int()
	if err == nil && n == 0 {
		err = ErrNotFound // claimed or moved meanwhile
	}
	return err
}

// RunNow makes waiting job id due now.
func (b *RedisBackend) RunNow(ctx context.Context, id int64, _ time.Time) error {
	if err := b.moveWaiting(ctx, id, true); err != nil {
		return fmt.Errorf("run waiting job %d now: %w", id, err)
	}
	return nil
}

// DiscardWaiting deletes waiting job id.
func (b *RedisBackend) DiscardWaiting(ctx context.Context, id int64, _ time.Time) error {
	if err := b.moveWaiting(ctx, id, false); err != nil {
		return fmt.Errorf("discard waiting job %d: %w", id, err)
	}
	return nil
}

// ListWaiting lists scheduled or retrying jobs, soonest first.
func (b *RedisBackend) ListWaiting(ctx context.Context, w Waiting, limit int, _ time.Time) ([]*Record, error) {
	set := "sched"
	if w == Retrying {
		set = "retry"
	}
	queues, err := b.rdb.SMembers(ctx, b.key("queues")).Result()
	if err != nil {
		return nil, fmt.Errorf("list %s jobs: %w", w, err)
	}
	var out []*Record
	for _, q := range queues {
		vals, err := b.rdb.ZRange(ctx, b.key(set, q), 0, int64(limit)-1).Result()
		if err != nil {
			return nil, fmt.Errorf("list %s jobs: %w", w, err)
		}
		for _, v := range vals {
			r := &Record{}
			if json.Unmarshal([]byte(v), r) == nil {
				r.State = Available
				out = append(out, r)
			}
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].RunAt.Before(out[j].RunAt) })
	return out[:min(len(out), limit)], nil
}
