package main

import (
	"os"
	"os/exec"
	"slices"
	"strconv"
)

// predecessorEnv names the environment variable in which a server started
// by SIGUSR2 finds the process ID of the one that started it: the one to
// stop once it answers, also where /proc/locks is hidden (systemd's
// ProcSubset=pid).
const predecessorEnv = "GSLB_PREDECESSOR_PID"

// startSuccessor runs this server's command line again with -replace
// (SIGUSR2): the program file as it is now, so an upgraded binary, with
// the same environment and standard output and error. The new server
// takes over and stops this one; if it fails, this one keeps serving.
// It is a child of this process, so it stays in the same service (a
// systemd unit's control group), and it tells the service manager that
// it is the main process (MAINPID) once it answers.
func (s *server) startSuccessor() {
	exe, err := os.Executable() // the path, also when the file was replaced since
	if err != nil {
		s.log.Error("SIGUSR2: cannot find the program to start", "error", err)
		return
	}
	args := slices.Clone(s.opts.Args)
	if !slices.Contains(args, "-replace") && !slices.Contains(args, "--replace") {
		args = append(args, "-replace")
	}
	cmd := exec.Command(exe, args...)
	cmd.Stdout, cmd.Stderr = os.Stdout, os.Stderr
	cmd.Env = append(os.Environ(), predecessorEnv+"="+strconv.Itoa(os.Getpid()))
	if err := cmd.Start(); err != nil {
		s.log.Error("SIGUSR2: cannot start the new gslb", "program", exe, "error", err)
		return
	}
	s.log.Info("SIGUSR2: started a new gslb to take over", "program", exe, "pid", cmd.Process.Pid)
	s.successorRuns.Store(true)
	go func() {
		err := cmd.Wait()
		s.successorRuns.Store(false)
		if err != nil {
			s.log.Error("the new gslb failed: this one keeps serving", "pid", cmd.Process.Pid, "error", err)
		}
	}()
}
