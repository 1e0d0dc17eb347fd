using System.Runtime.InteropServices;
using System.Runtime.Intrinsics.X86;

namespace ModelZoo.Native;

/// <summary>
/// Keeps libtorch's oneDNN (MKL-DNN) convolutions away from the few backward passes that crash the process, and on
/// for everything else.
/// </summary>
/// <remarks>
/// <para>
/// oneDNN sizes its convolution blocking from the CPU's data-cache sizes, which it reads with the <c>cpuid</c>
/// deterministic cache leaves (leaf 4 on Intel, leaf 0x8000001D on AMD and Hygon). Some virtual machines
/// (Firecracker guests, for example) report those leaves as all zeros. libtorch 2.10's oneDNN then divides by zero
/// while planning the backward pass of a 1x1 convolution with one of five channel pairs, in either direction
/// (<see cref="CrashingChannelPairs"/>: 256-1024, 512-1024, 512-2048, 1024-512, 1024-2048, the pairs its brgemm
/// blocking heuristic special-cases), and the process dies with SIGFPE: no exception, no message. Those are
/// ResNet-50/101/152's layer3/layer4 convolutions. Measured on such a VM with <c>bench/OneDnnProbe</c> (every
/// convolution shape of every zoo model at batch 1 and 8, fp32 and bf16, NCHW and channels-last, one case per child
/// process): the backward of the input and of the weight crash in channels-last, the input's in NCHW for the strided
/// projections; forward passes never crash, and no other convolution does.
/// </para>
/// <para>
/// So the guard is narrow. On such a CPU <see cref="Blocks.LayerFactory.Default"/> builds exactly those convolutions as
/// <see cref="Blocks.PointwiseConv2d"/>, whose training passes are matrix products (same parameters, same results), and
/// oneDNN stays on for the rest of the network and for all forward-only work. Only a network that still holds such a
/// convolution as an ordinary layer (built without the factory) makes <see cref="EnsureFor"/> turn oneDNN off for the
/// process (<c>at::globalContext().setUserEnabledMkldnn(false)</c>, what <c>torch.backends.mkldnn.enabled = False</c>
/// does in PyTorch). <c>MODELZOO_ONEDNN=on</c> trusts oneDNN (no substitution, no switch); <c>off</c> turns it off for
/// the process. Once off, oneDNN stays off for the rest of the process.
/// </para>
/// </remarks>
internal static class OneDnnGuard
{
    /// <summary>Environment variable that overrides the automatic choice: <c>auto</c> (default), <c>on</c> or <c>off</c>.</summary>
    public const string EnvironmentVariable = "MODELZOO_ONEDNN";

    /// <summary>
    /// The (input, output) channel pairs of the 1x1 convolutions whose backward pass dies with SIGFPE on a CPU that
    /// hides its cache sizes (the reversed pairs too: the input-gradient pass runs the convolution backwards).
    /// </summary>
    public static IReadOnlyList<(long In, long Out)> CrashingChannelPairs { get; } = [(256, 1024), (512, 1024), (512, 2048), (1024, 512), (1024, 2048)];

    private static readonly object Gate = new();
    private static string? _disabledReason;

    /// <summary>Why oneDNN was turned off in this process, or null while it is left as libtorch configured it.</summary>
    public static string? DisabledReason => Volatile.Read(ref _disabledReason);

    /// <summary>True when this CPU hides its cache sizes (the cpuid deterministic cache leaf is empty).</summary>
    public static bool CacheInfoMissingHere => Host.Value.Hazard;

    /// <summary>
    /// Applies the environment override (<c>MODELZOO_ONEDNN=off</c>). Never throws: if libtorch's switch cannot be
    /// reached (not Linux, symbol not exported), oneDNN is left as it is.
    /// </summary>
    public static void Ensure() => Apply(null);

    /// <summary>
    /// Applies the decision for a network about to run: on a CPU that hides its cache sizes, oneDNN is turned off
    /// when <paramref name="module"/> holds a convolution whose backward pass would crash there and that is not a
    /// <see cref="Blocks.PointwiseConv2d"/> (see <see cref="FindCrashingConvolution"/>). Cheap when there is nothing
    /// to decide. Never throws.
    /// </summary>
    public static void EnsureFor(TorchSharp.torch.nn.Module module)
    {
        ArgumentNullException.ThrowIfNull(module);
        if (Volatile.Read(ref _disabledReason) is not null) return;
        var (setting, hazard) = Host.Value;
        // Scan the modules only when a crashing convolution would change the decision.
        bool matters = Decide(setting, hazard, crashingConvolution: true) != Decide(setting, hazard, crashingConvolution: false);
        Apply(matters ? FindCrashingConvolution(module) : null);
    }

    /// <summary>
    /// True when the backward pass of a convolution with this shape dies in oneDNN on a CPU that hides its cache
    /// sizes: a 1x1 kernel without padding whose channels per group are one of <see cref="CrashingChannelPairs"/>, in
    /// either direction.
    /// </summary>
    public static bool BackwardCrashes(long inChannels, long outChannels, long kernelHeight, long kernelWidth, long padding = 0, long groups = 1)
    {
        if (kernelHeight != 1 || kernelWidth != 1 || padding != 0 || groups < 1) return false;
        long i = inChannels / groups, o = outChannels / groups;
        foreach (var (a, b) in CrashingChannelPairs)
        {
            if ((i == a && o == b) || (i == b && o == a)) return true;
        }
        return false;
    }

    /// <summary>
    /// Whether <see cref="Blocks.LayerFactory.Default"/> builds a convolution of this shape as a
    /// <see cref="Blocks.PointwiseConv2d"/> on this machine: its backward would crash here (the CPU hides its cache
    /// sizes and <see cref="EnvironmentVariable"/> is unset or <c>auto</c>).
    /// </summary>
    public static bool ReplacesConvolution(long inChannels, long outChannels, long kernelSize, long padding)
    {
        var (setting, hazard) = Host.Value;
        return hazard && IsAuto(setting) && BackwardCrashes(inChannels, outChannels, kernelSize, kernelSize, padding);
    }

    /// <summary>
    /// The first module of <paramref name="module"/> (as "path (in->out)") whose backward pass would crash on a CPU
    /// that hides its cache sizes: any layer but <see cref="Blocks.PointwiseConv2d"/> with a 4-D 1x1 <c>weight</c> of a
    /// crashing channel pair (a <c>Conv2d</c>'s padding and groups are taken into account; other layers are assumed
    /// to convolve with it). Null when there is none.
    /// </summary>
    public static string? FindCrashingConvolution(TorchSharp.torch.nn.Module module)
    {
        ArgumentNullException.ThrowIfNull(module);
        foreach (var (path, m) in module.named_modules())
        {
            if (m is Blocks.PointwiseConv2d) continue;
            var weight = m.named_parameters(recurse: false).FirstOrDefault(p => p.name == "weight").parameter;
            if (weight is null || weight.dim() != 4) continue;
            long o = weight.shape[0], kh = weight.shape[2], kw = weight.shape[3];
            bool crashes = m is TorchSharp.Modules.Conv2d conv
                ? !conv.transposed && BackwardCrashes(conv.in_channels, conv.out_channels, kh, kw, conv.padding?.Max() ?? 0, conv.groups)
                : BackwardCrashes(weight.shape[1], o, kh, kw);
            if (crashes) return $"{(path.Length == 0 ? "(root)" : path)} ({weight.shape[1]}->{o})";
        }
        return null;
    }

    private static readonly Lazy<(string? Setting, bool Hazard)> Host = new(() =>
        (Environment.GetEnvironmentVariable(EnvironmentVariable), CacheInfoMissing(ReadCpuid)));

    private static bool IsAuto(string? setting) => setting?.Trim().ToLowerInvariant() is null or "" or "auto";

    private static void Apply(string? crashingConvolution)
    {
        if (Volatile.Read(ref _disabledReason) is not null) return;
        var (setting, hazard) = Host.Value;
        string? reason = Decide(setting, hazard, crashingConvolution is not null);
        if (reason is null) return;
        if (crashingConvolution is not null && IsAuto(setting)) reason += $": {crashingConvolution}";
        lock (Gate)
        {
            if (_disabledReason is null && TrySetEnabled(false)) Volatile.Write(ref _disabledReason, reason);
        }
    }

    /// <summary>Whether libtorch will use oneDNN for convolutions now; null when that cannot be read on this platform.</summary>
    public static bool? IsOneDnnEnabled()
    {
        if (!TryGetContext(out var lib, out var context)) return null;
        if (!NativeLibrary.TryGetExport(lib, "_ZNK2at7Context17userEnabledMkldnnEv", out var getter)) return null;
        unsafe
        {
            return ((delegate* unmanaged<IntPtr, byte>)getter)(context) != 0;
        }
    }

    /// <summary>
    /// The decision rule: the reason to turn oneDNN off, or null to leave it on. <paramref name="setting"/> is the
    /// value of <see cref="EnvironmentVariable"/>; <paramref name="crashingConvolution"/> says whether the network
    /// holds an ordinary convolution whose backward pass crashes on a CPU without cache information.
    /// </summary>
    internal static string? Decide(string? setting, bool cacheInfoMissing, bool crashingConvolution)
    {
        switch (setting?.Trim().ToLowerInvariant())
        {
            case "off" or "0" or "false":
                return $"{EnvironmentVariable}=off";
            case "on" or "1" or "true":
                return null;
            default:
                return cacheInfoMissing && crashingConvolution
                    ? "the CPU reports no data-cache sizes (cpuid cache leaves are empty, as in some virtual machines), which makes oneDNN's planning of some 1x1 convolutions' backward pass divide by zero, and the network holds one as an ordinary layer"
                    : null;
        }
    }

    /// <summary>
    /// True when the CPU is x86 and its deterministic cache-parameter leaf (4 on Intel and others, 0x8000001D on
    /// AMD and Hygon) describes no cache at sub-leaf 0. <paramref name="cpuid"/> is (leaf, subleaf) to (eax, ebx, ecx, edx);
    /// null means not x86.
    /// </summary>
    internal static bool CacheInfoMissing(Func<int, int, (int Eax, int Ebx, int Ecx, int Edx)>? cpuid)
    {
        if (cpuid is null) return false;
        var (maxBasic, b, c, d) = cpuid(0, 0);
        string vendor = Vendor(b, d, c);
        if (vendor is "AuthenticAMD" or "HygonGenuine")
        {
            uint maxExtended = unchecked((uint)cpuid(unchecked((int)0x80000000), 0).Eax);
            if (maxExtended < 0x8000001D) return false; // older AMD: oneDNN reads the legacy leaves instead
            return (cpuid(unchecked((int)0x8000001D), 0).Eax & 0x1F) == 0;
        }
        if (maxBasic < 4) return false;
        return (cpuid(4, 0).Eax & 0x1F) == 0;
    }

    /// <summary>The 12-character vendor string from cpuid leaf 0 (registers in EBX, EDX, ECX order).</summary>
    internal static string Vendor(int ebx, int edx, int ecx)
    {
        Span<byte> bytes = stackalloc byte[12];
        BitConverter.TryWriteBytes(bytes[..4], ebx);
        BitConverter.TryWriteBytes(bytes[4..8], edx);
        BitConverter.TryWriteBytes(bytes[8..], ecx);
        return System.Text.Encoding.ASCII.GetString(bytes);
    }

    private static Func<int, int, (int, int, int, int)>? ReadCpuid =>
        X86Base.IsSupported ? (leaf, sub) => X86Base.CpuId(leaf, sub) : null;

    private static bool TrySetEnabled(bool enabled)
    {
        if (!TryGetContext(out var lib, out var context)) return false;
        if (!NativeLibrary.TryGetExport(lib, "_ZN2at7Context20setUserEnabledMkldnnEb", out var setter)) return false;
        unsafe
        {
            ((delegate* unmanaged<IntPtr, byte, void>)setter)(context, enabled ? (byte)1 : (byte)0);
        }
        return IsOneDnnEnabled() == enabled;
    }

    private static bool TryGetContext(out IntPtr lib, out IntPtr context)
    {
        context = LibTorchCpu.GlobalContext;
        lib = LibTorchCpu.Handle;
        return context != IntPtr.Zero;
    }
}
