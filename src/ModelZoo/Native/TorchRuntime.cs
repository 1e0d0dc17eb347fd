using ModelZoo.Native;
using TorchSharp;

namespace ModelZoo;

/// <summary>
/// The few process-wide native concerns a TorchSharp application meets, in one public place: checking that the
/// native libraries load (with a one-paragraph diagnosis when they don't), keeping libtorch's oneDNN
/// convolutions away from CPUs where they crash, turning NNPACK off where it cannot initialise (so its warnings
/// stay off the terminal), and tuning glibc's allocator for training. <see cref="Zoo.Create"/>, the inspector and the trainer call
/// <see cref="PrepareFor"/> themselves; call it yourself only for a network you assembled from blocks and run
/// with your own loop.
/// </summary>
public static class TorchRuntime
{
    /// <summary>Environment variable that overrides the automatic oneDNN choice: <c>auto</c> (default), <c>on</c> or <c>off</c>.</summary>
    public const string OneDnnEnvironmentVariable = OneDnnGuard.EnvironmentVariable;

    /// <summary>
    /// Makes a one-element tensor once per process. True when TorchSharp's native libraries work; otherwise false,
    /// with <paramref name="diagnosis"/> set to one paragraph: what failed, the host's C++ runtime, whether the
    /// application's copy of <c>libLibTorchSharp.so</c> is patched, and what to do (see docs/troubleshooting.md).
    /// </summary>
    public static bool TryInitialize(out string? diagnosis) => TorchNative.TryEnsureLoaded(out diagnosis);

    /// <summary>
    /// The one-paragraph diagnosis for an exception thrown while TorchSharp's native libraries loaded
    /// (a <see cref="TypeInitializationException"/> or <see cref="DllNotFoundException"/>, for example).
    /// </summary>
    public static string DescribeLoadFailure(Exception failure)
    {
        ArgumentNullException.ThrowIfNull(failure);
        return TorchNative.Diagnose(failure, NativeEnvironment.Probe());
    }

    /// <summary>
    /// Applies the process-wide native settings a network needs before it runs: on a CPU that hides its cache
    /// sizes, oneDNN is turned off when <paramref name="network"/> holds a 1x1 convolution, and NNPACK is turned off
    /// where it cannot initialise (see docs/troubleshooting.md). Cheap when there is nothing to decide; never throws.
    /// </summary>
    public static void PrepareFor(torch.nn.Module network)
    {
        OneDnnGuard.EnsureFor(network);
        NnpackGuard.Ensure();
    }

    /// <summary>Environment variable: <c>default</c> keeps glibc's malloc settings (see <see cref="TuneAllocatorForTraining"/>).</summary>
    public const string AllocatorEnvironmentVariable = GlibcAllocator.EnvironmentVariable;

    /// <summary>
    /// On Linux with glibc, raises malloc's mmap and trim thresholds once per process so that the large tensor
    /// buffers of a training step are reused by the next step instead of being unmapped and page-faulted in again
    /// (12-18 % faster resnet18 steps here, same peak memory; PyTorch users get this from jemalloc or tcmalloc). The
    /// trainer calls it; memory the process frees then stays in the process. Returns a one-line description of what
    /// was set, or null where nothing was (another OS or C library, or <c>MODELZOO_MALLOC=default</c>). Never throws.
    /// </summary>
    public static string? TuneAllocatorForTraining() => GlibcAllocator.EnsureTuned();

    /// <summary>Why oneDNN was turned off in this process, or null while it is left as libtorch configured it.</summary>
    public static string? OneDnnDisabledReason => OneDnnGuard.DisabledReason;

    /// <summary>
    /// Why NNPACK was turned off in this process (it cannot initialise on this CPU, and libtorch would otherwise print
    /// "Could not initialize NNPACK!" for every eligible convolution), or null while it is left as libtorch set it.
    /// </summary>
    public static string? NnpackDisabledReason => NnpackGuard.DisabledReason;
}
