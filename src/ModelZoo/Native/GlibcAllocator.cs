using System.Runtime.InteropServices;

namespace ModelZoo.Native;

/// <summary>
/// Keeps glibc's malloc from returning large tensor buffers to the kernel after every training step.
/// </summary>
/// <remarks>
/// <para>
/// libtorch allocates CPU tensors with <c>malloc</c>. glibc serves any block above its mmap threshold (128 KiB at first,
/// rising dynamically to at most 32 MiB) with a fresh <c>mmap</c> and gives it back with <c>munmap</c> on free, so a
/// training step whose activations are tens of MiB each (resnet18 at batch 32: 51-102 MiB per early layer output)
/// maps, page-faults and zeroes all of them again on every step. Raising the threshold to 1 GiB (and the trim
/// threshold to 2 GiB, so freed memory at the top of the heap is kept) lets the second step reuse the first step's
/// memory: resnet18 training steps ran 12-18 % faster on the dev VM with the same peak RSS (docs/results.md, "Native
/// allocator"). PyTorch users get the same effect by preloading jemalloc or tcmalloc, Intel's advice for CPU training.
/// </para>
/// <para>
/// The cost: memory a process freed stays in it (its resident size does not fall after a large step), which is what
/// a training process wants and a long-lived service might not; that is why the trainer applies it and plain model
/// use does not. Only on Linux with glibc (found by <c>gnu_get_libc_version</c>); set <c>MODELZOO_MALLOC=default</c> to
/// keep glibc's own behaviour. Never throws.
/// </para>
/// </remarks>
internal static class GlibcAllocator
{
    /// <summary>Environment variable: <c>default</c> leaves glibc's malloc settings alone.</summary>
    public const string EnvironmentVariable = "MODELZOO_MALLOC";

    private const int TrimThreshold = -1; // M_TRIM_THRESHOLD
    private const int MmapThreshold = -3; // M_MMAP_THRESHOLD
    private const int MmapThresholdBytes = 1 << 30;

    private static readonly Lazy<string?> Applied = new(Apply, LazyThreadSafetyMode.ExecutionAndPublication);

    /// <summary>Applies the settings once per process; returns what was done ("glibc 2.36: ...") or null when nothing was.</summary>
    public static string? EnsureTuned() => Applied.Value;

    private static unsafe string? Apply()
    {
        try
        {
            if (!OperatingSystem.IsLinux()) return null;
            if (string.Equals(Environment.GetEnvironmentVariable(EnvironmentVariable), "default", StringComparison.OrdinalIgnoreCase)) return null;
            if (!NativeLibrary.TryLoad("libc.so.6", out IntPtr libc)) return null;
            if (!NativeLibrary.TryGetExport(libc, "gnu_get_libc_version", out IntPtr version)
                || !NativeLibrary.TryGetExport(libc, "mallopt", out IntPtr malloptPtr)) return null;
            var mallopt = (delegate* unmanaged[Cdecl]<int, int, int>)malloptPtr;
            string glibc = Marshal.PtrToStringUTF8(((delegate* unmanaged[Cdecl]<IntPtr>)version)()) ?? "?";
            bool mmap = mallopt(MmapThreshold, MmapThresholdBytes) == 1;
            bool trim = mallopt(TrimThreshold, int.MaxValue) == 1;
            return mmap || trim ? $"glibc {glibc} malloc: large blocks kept between steps (mmap threshold 1 GiB{(trim ? ", trim threshold 2 GiB" : "")})" : null;
        }
        catch (Exception e) when (e is DllNotFoundException or EntryPointNotFoundException or BadImageFormatException)
        {
            return null;
        }
    }
}
