using System.Globalization;
using TorchSharp;
using static TorchSharp.torch;

namespace ModelZoo.Training;

/// <summary>
/// The processes started by <c>mpirun</c>/<c>mpiexec</c>/<c>srun</c>, through the system's MPI library (Open MPI or
/// MPICH, loaded at run time; see <see cref="MpiLibrary"/>). One per process: <see cref="Create"/> initialises MPI,
/// <see cref="Dispose"/> finalises it. Tensor collectives work in place on the tensor's memory
/// (<c>Storage.data_ptr()</c>), so no copy is made beyond MPI's own.
/// </summary>
public sealed class MpiProcessGroup : IProcessGroup, IDisposable
{
    private readonly MpiLibrary _mpi;
    private volatile bool _disposed;

    private readonly object _watchLock = new();
    private string? _waitingIn;
    private long _waitStarted;
    private readonly Thread? _watchdog;

    private MpiProcessGroup(MpiLibrary mpi, TimeSpan collectiveTimeout)
    {
        _mpi = mpi;
        _mpi.Init();
        Rank = _mpi.Rank();
        WorldSize = _mpi.Size();
        LocalRank = FirstInt("OMPI_COMM_WORLD_LOCAL_RANK", "MPI_LOCALRANKID", "SLURM_LOCALID") ?? 0;
        CollectiveTimeout = collectiveTimeout;
        if (collectiveTimeout > TimeSpan.Zero && WorldSize > 1)
        {
            _watchdog = new Thread(Watch) { IsBackground = true, Name = "modelzoo-mpi-watchdog" };
            _watchdog.Start();
        }
    }

    /// <summary>
    /// How long one collective may wait for the other ranks before this rank ends the whole job (MPI_Abort, exit 1)
    /// with a message naming itself and the call: a rank that hangs (deadlock, stopped, stuck I/O) would otherwise
    /// keep every other rank waiting forever. Default 300 s; <c>MODELZOO_COLLECTIVE_TIMEOUT</c> (seconds, 0 = never) sets it.
    /// </summary>
    public TimeSpan CollectiveTimeout { get; }

    /// <summary>
    /// True when this process was started by an MPI launcher (Open MPI's <c>OMPI_COMM_WORLD_SIZE</c>, PMI/PMIx's
    /// <c>PMI_SIZE</c>/<c>PMIX_RANK</c>, Slurm's <c>SLURM_NTASKS</c> with <c>SLURM_PROCID</c>).
    /// </summary>
    public static bool IsLaunchedByMpi =>
        FirstInt("OMPI_COMM_WORLD_SIZE", "PMI_SIZE") is not null || Environment.GetEnvironmentVariable("PMIX_RANK") is not null
        || (FirstInt("SLURM_NTASKS") is > 1 && Environment.GetEnvironmentVariable("SLURM_PROCID") is not null);

    /// <summary>Initialises MPI (once per process) and returns the world group.</summary>
    /// <exception cref="DistributedException">No MPI library, or MPI could not start.</exception>
    public static MpiProcessGroup Create()
    {
        double seconds = double.TryParse(Environment.GetEnvironmentVariable("MODELZOO_COLLECTIVE_TIMEOUT"), NumberStyles.Float, CultureInfo.InvariantCulture, out double s) && s >= 0 ? s : 300;
        return new(MpiLibrary.Load(), TimeSpan.FromSeconds(seconds));
    }

    /// <summary>The MPI library in use, e.g. <c>libmpi.so.40 (Open MPI)</c>.</summary>
    public string Library => $"{_mpi.Name} ({(_mpi.IsOpenMpi ? "Open MPI" : "MPICH")})";

    /// <inheritdoc />
    public int Rank { get; }

    /// <inheritdoc />
    public int WorldSize { get; }

    /// <inheritdoc />
    public int LocalRank { get; }

    /// <inheritdoc />
    public bool IsPrimary => Rank == 0;

    /// <inheritdoc />
    public unsafe void AllReduceSum(double[] values)
    {
        ArgumentNullException.ThrowIfNull(values);
        if (values.Length == 0) return;
        using var watch = Waiting("MPI_Allreduce");
        fixed (double* p = values) _mpi.AllReduceSumInPlace((nint)p, values.Length, _mpi.Double);
    }

    /// <inheritdoc />
    public void AllReduceSum(Tensor tensor)
    {
        var (pointer, count, type) = Buffer(tensor);
        using var watch = Waiting("MPI_Allreduce");
        if (count > 0) _mpi.AllReduceSumInPlace(pointer, count, type);
    }

    /// <inheritdoc />
    public void Broadcast(Tensor tensor, int root = 0)
    {
        if (root < 0 || root >= WorldSize) throw new ArgumentOutOfRangeException(nameof(root), $"root {root} is not a rank of {WorldSize}");
        var (pointer, count, type) = Buffer(tensor);
        using var watch = Waiting("MPI_Bcast");
        if (count > 0) _mpi.Broadcast(pointer, count, type, root);
    }

    /// <inheritdoc />
    public void Barrier()
    {
        using var watch = Waiting("MPI_Barrier");
        _mpi.Barrier();
    }

    /// <summary>Ends every process of the job at once (MPI_Abort) with <paramref name="exitCode"/>: for a rank that cannot go on.</summary>
    public void Abort(int exitCode) => _mpi.Abort(exitCode);

    /// <summary>Finalises MPI (collective: every rank must call it).</summary>
    public void Dispose()
    {
        if (_disposed) return;
        _disposed = true;
        if (!_mpi.IsFinalized) _mpi.FinalizeMpi();
    }

    private (nint Pointer, int Count, nint Type) Buffer(Tensor tensor)
    {
        ArgumentNullException.ThrowIfNull(tensor);
        if (tensor.device_type != DeviceType.CPU) throw new ArgumentException($"MPI collectives take CPU tensors, not {tensor.device}", nameof(tensor));
        if (!tensor.is_contiguous()) throw new ArgumentException("MPI collectives take contiguous tensors", nameof(tensor));
        if (tensor.numel() > int.MaxValue) throw new ArgumentException($"{tensor.numel()} elements exceed one MPI call's count", nameof(tensor));
        int size;
        nint type;
        switch (tensor.dtype)
        {
            case ScalarType.Float32: type = _mpi.Float; size = 4; break;
            case ScalarType.Float64: type = _mpi.Double; size = 8; break;
            default: throw new ArgumentException($"MPI collectives here take float32 or float64 tensors, not {tensor.dtype}", nameof(tensor));
        }
        nint start = tensor.dtype == ScalarType.Float32 ? tensor.storage<float>().data_ptr() : tensor.storage<double>().data_ptr();
        return (start + (nint)(tensor.storage_offset() * size), (int)tensor.numel(), type);
    }

    private WaitScope Waiting(string call)
    {
        lock (_watchLock)
        {
            _waitingIn = call;
            _waitStarted = Environment.TickCount64;
        }
        return new WaitScope(this);
    }

    private void Watch()
    {
        while (!_disposed)
        {
            Thread.Sleep(TimeSpan.FromMilliseconds(Math.Clamp(CollectiveTimeout.TotalMilliseconds / 10, 50, 1000)));
            string? call;
            long waited;
            lock (_watchLock)
            {
                call = _waitingIn;
                waited = Environment.TickCount64 - _waitStarted;
            }
            if (call is null || waited < CollectiveTimeout.TotalMilliseconds) continue;
            Console.Error.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"modelzoo: error: rank {Rank} of {WorldSize}: {call} has waited {waited / 1000.0:0} s for the other ranks (limit {CollectiveTimeout.TotalSeconds:0} s, MODELZOO_COLLECTIVE_TIMEOUT); a rank that has not reached it is hung or lost; ending the job"));
            Console.Error.Flush();
            _mpi.Abort(1);
            Environment.Exit(1);
        }
    }

    private readonly struct WaitScope(MpiProcessGroup group) : IDisposable
    {
        public void Dispose()
        {
            lock (group._watchLock) group._waitingIn = null;
        }
    }

    private static int? FirstInt(params string[] names)
    {
        foreach (string name in names)
            if (int.TryParse(Environment.GetEnvironmentVariable(name), NumberStyles.Integer, CultureInfo.InvariantCulture, out int v)) return v;
        return null;
    }
}
