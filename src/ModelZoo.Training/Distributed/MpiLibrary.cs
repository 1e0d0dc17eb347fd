using System.Runtime.InteropServices;

namespace ModelZoo.Training;

/// <summary>
/// The few MPI calls data-parallel training needs, bound at run time from the system's MPI library (MPI.NET on NuGet
/// is a Windows/MS-MPI build). Open MPI (<c>libmpi.so.40</c>) and MPICH (<c>libmpich.so.12</c>) have different ABIs:
/// Open MPI's handles are addresses of exported globals (<c>ompi_mpi_comm_world</c>, <c>ompi_mpi_double</c>, ...),
/// MPICH's are fixed integers; both are passed as pointer-sized values, which the x64 and arm64 C conventions accept
/// for MPICH's <c>int</c> handles.
/// </summary>
internal sealed unsafe class MpiLibrary
{
    private const int Success = 0;
    private readonly delegate* unmanaged<nint, nint, int> _init;
    private readonly delegate* unmanaged<int*, int> _initialized;
    private readonly delegate* unmanaged<int*, int> _finalized;
    private readonly delegate* unmanaged<int> _finalize;
    private readonly delegate* unmanaged<nint, int*, int> _commRank;
    private readonly delegate* unmanaged<nint, int*, int> _commSize;
    private readonly delegate* unmanaged<nint, nint, int, nint, nint, nint, int> _allreduce;
    private readonly delegate* unmanaged<nint, int, nint, int, nint, int> _bcast;
    private readonly delegate* unmanaged<nint, int> _barrier;
    private readonly delegate* unmanaged<nint, int, int> _abort;

    private MpiLibrary(nint handle, string name, bool openMpi)
    {
        Name = name;
        IsOpenMpi = openMpi;
        nint F(string symbol) => NativeLibrary.GetExport(handle, symbol);
        _init = (delegate* unmanaged<nint, nint, int>)F("MPI_Init");
        _initialized = (delegate* unmanaged<int*, int>)F("MPI_Initialized");
        _finalized = (delegate* unmanaged<int*, int>)F("MPI_Finalized");
        _finalize = (delegate* unmanaged<int>)F("MPI_Finalize");
        _commRank = (delegate* unmanaged<nint, int*, int>)F("MPI_Comm_rank");
        _commSize = (delegate* unmanaged<nint, int*, int>)F("MPI_Comm_size");
        _allreduce = (delegate* unmanaged<nint, nint, int, nint, nint, nint, int>)F("MPI_Allreduce");
        _bcast = (delegate* unmanaged<nint, int, nint, int, nint, int>)F("MPI_Bcast");
        _barrier = (delegate* unmanaged<nint, int>)F("MPI_Barrier");
        _abort = (delegate* unmanaged<nint, int, int>)F("MPI_Abort");
        if (openMpi)
        {
            CommWorld = F("ompi_mpi_comm_world");
            Double = F("ompi_mpi_double");
            Float = F("ompi_mpi_float");
            Sum = F("ompi_mpi_op_sum");
            InPlace = 1;
        }
        else
        {
            CommWorld = 0x44000000;
            Double = 0x4c00080b;
            Float = 0x4c00040a;
            Sum = 0x58000003;
            InPlace = -1;
        }
    }

    /// <summary>The library file that was loaded.</summary>
    public string Name { get; }

    /// <summary>Open MPI (else MPICH ABI).</summary>
    public bool IsOpenMpi { get; }

    public nint CommWorld { get; }
    public nint Double { get; }
    public nint Float { get; }
    public nint Sum { get; }
    public nint InPlace { get; }

    /// <summary>Loads the first MPI library found, or explains why none could be.</summary>
    /// <exception cref="DistributedException">No usable MPI library.</exception>
    public static MpiLibrary Load()
    {
        var tried = new List<string>();
        foreach (string name in new[] { "libmpi.so.40", "libmpi.so", "libmpich.so.12", "libmpich.so", "libmpi.dylib" })
        {
            if (!NativeLibrary.TryLoad(name, out nint handle))
            {
                tried.Add(name);
                continue;
            }
            bool openMpi = NativeLibrary.TryGetExport(handle, "ompi_mpi_comm_world", out _);
            bool mpich = NativeLibrary.TryGetExport(handle, "MPIR_Init_thread", out _) || name.Contains("mpich", StringComparison.Ordinal);
            if (!openMpi && !mpich)
                throw new DistributedException($"'{name}' is neither Open MPI nor MPICH; only those two ABIs are supported");
            return new MpiLibrary(handle, name, openMpi);
        }
        throw new DistributedException($"no MPI library found (tried {string.Join(", ", tried)}); install Open MPI (apt-get install openmpi-bin) or MPICH");
    }

    public void Init()
    {
        int flag;
        Check(_initialized(&flag), "MPI_Initialized");
        if (flag == 0) Check(_init(0, 0), "MPI_Init");
    }

    public bool IsFinalized
    {
        get
        {
            int flag;
            Check(_finalized(&flag), "MPI_Finalized");
            return flag != 0;
        }
    }

    public void FinalizeMpi() => Check(_finalize(), "MPI_Finalize");

    public int Rank()
    {
        int r;
        Check(_commRank(CommWorld, &r), "MPI_Comm_rank");
        return r;
    }

    public int Size()
    {
        int s;
        Check(_commSize(CommWorld, &s), "MPI_Comm_size");
        return s;
    }

    /// <summary>In-place sum over all ranks of <paramref name="count"/> elements at <paramref name="buffer"/>.</summary>
    public void AllReduceSumInPlace(nint buffer, int count, nint datatype) =>
        Check(_allreduce(InPlace, buffer, count, datatype, Sum, CommWorld), "MPI_Allreduce");

    public void Broadcast(nint buffer, int count, nint datatype, int root) =>
        Check(_bcast(buffer, count, datatype, root, CommWorld), "MPI_Bcast");

    public void Barrier() => Check(_barrier(CommWorld), "MPI_Barrier");

    public void Abort(int code) => _abort(CommWorld, code);

    private static void Check(int rc, string call)
    {
        if (rc != Success) throw new DistributedException($"{call} failed with MPI error code {rc}");
    }
}
