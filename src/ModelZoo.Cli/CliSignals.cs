using System.Runtime.InteropServices;

namespace ModelZoo.Cli;

/// <summary>
/// Turns SIGINT (Ctrl+C) and SIGTERM into cancellation of <see cref="Token"/> instead of killing the process, so a
/// command can finish its current step, save and exit with 130 or 143. A second signal is not intercepted.
/// </summary>
public sealed class CliSignals : IDisposable
{
    private readonly CancellationTokenSource _cts;
    private readonly List<PosixSignalRegistration> _registrations = [];
    private int _signal;

    /// <summary>Links to <paramref name="outer"/>; <paramref name="register"/> installs the OS signal handlers (false in tests).</summary>
    public CliSignals(CancellationToken outer = default, bool register = true)
    {
        _cts = CancellationTokenSource.CreateLinkedTokenSource(outer);
        if (!register) return;
        _registrations.Add(PosixSignalRegistration.Create(PosixSignal.SIGINT, Handle));
        _registrations.Add(PosixSignalRegistration.Create(PosixSignal.SIGTERM, Handle));
    }

    /// <summary>Cancelled on the first SIGINT or SIGTERM.</summary>
    public CancellationToken Token => _cts.Token;

    /// <summary>The signal that cancelled, if any.</summary>
    public PosixSignal? Signal => _signal == 0 ? null : (PosixSignal)_signal;

    /// <summary>The exit code for an interrupted run: 143 after SIGTERM, otherwise 130.</summary>
    public int InterruptedExitCode => Signal == PosixSignal.SIGTERM ? ExitCodes.Terminated : ExitCodes.Interrupted;

    /// <summary>Cancels as if <paramref name="signal"/> had arrived (tests, embedding).</summary>
    public void Raise(PosixSignal signal)
    {
        Interlocked.CompareExchange(ref _signal, (int)signal, 0);
        _cts.Cancel();
    }

    private void Handle(PosixSignalContext context)
    {
        if (_cts.IsCancellationRequested) return; // second signal: default behaviour (terminate)
        context.Cancel = true;
        Console.Error.WriteLine(context.Signal == PosixSignal.SIGTERM
            ? "modelzoo: SIGTERM received, finishing the current step and saving..."
            : "modelzoo: interrupt received, finishing the current step and saving (press Ctrl+C again to abort)...");
        Raise(context.Signal);
    }

    /// <inheritdoc />
    public void Dispose()
    {
        foreach (var r in _registrations) r.Dispose();
        _cts.Dispose();
    }
}
