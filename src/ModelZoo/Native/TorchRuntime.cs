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
<<<<<<< HEAD
    /// sizes, oneDNN is turned off only when <paramref name="network"/> holds a 1x1 convolution as an ordinary layer
    /// (oneDNN mis-plans them there: <see cref="PointwiseConvolutionCrashes"/>; networks built through
    /// <see cref="Blocks.LayerFactory.Default"/>, every zoo model included, hold <see cref="Blocks.PointwiseConv2d"/>
    /// instead), and NNPACK is turned off where it cannot initialise. See docs/troubleshooting.md. Cheap when there is nothing to decide; never throws.
=======
    /// sizes, oneDNN is turned off only when <paramref name="network"/> holds, as an ordinary layer, one of the 1x1
    /// convolutions whose oneDNN backward pass crashes there (<see cref="PointwiseConvolutionCrashes"/>; networks built
    /// through <see cref="Blocks.LayerFactory.Default"/>, every zoo model included, hold none). See
    /// docs/troubleshooting.md. Cheap when there is nothing to decide; never throws.
>>>>>>> parent of da003ea (oneDNN on hazard CPUs: the probe now checks values against float64 and finds wrong forwards too (fp32 channels-last 1x1 for several pairs, NCHW 3x3 with 24 input channels); the factory builds every 1x1 conv as PointwiseConv2d (matmul both ways) and every other as ChannelsLastConv2d; the guard switches oneDNN off only for convolutions the factory did not make; batch-norm folding accepts any 2-D Convolution; TorchRuntime.OneDnnEnabled)
    /// </summary>
    public static void PrepareFor(torch.nn.Module network)
    {
        OneDnnGuard.EnsureFor(network);
        NnpackGuard.Ensure();
    }

    /// <summary>
    /// True when this CPU hides its cache sizes from <c>cpuid</c> (as some virtual machines do), where libtorch's
    /// oneDNN cannot plan the backward pass of some 1x1 convolutions (<see cref="PointwiseConvolutionCrashes"/>).
    /// </summary>
    public static bool CpuHidesCacheSizes => OneDnnGuard.CacheInfoMissingHere;

    /// <summary>
    /// Whether oneDNN's backward pass of a 1x1 convolution (no padding, one group) with these channels dies with SIGFPE
    /// on a CPU that hides its cache sizes: the pairs 256-1024, 512-1024, 512-2048, 1024-512 and 1024-2048, either way
    /// round (ResNet-50/101/152's). <see cref="Blocks.LayerFactory.Default"/> builds them as
    /// <see cref="Blocks.PointwiseConv2d"/> there.
    /// </summary>
    public static bool PointwiseConvolutionCrashes(long inChannels, long outChannels) => OneDnnGuard.BackwardCrashes(inChannels, outChannels, 1, 1);

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
