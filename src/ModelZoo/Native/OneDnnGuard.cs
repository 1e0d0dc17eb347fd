using System.Runtime.InteropServices;
using System.Runtime.Intrinsics.X86;

namespace ModelZoo.Native;

/// <summary>
/// Keeps libtorch's oneDNN (MKL-DNN) convolutions away from machines where they crash the process.
/// </summary>
/// <remarks>
/// <para>
/// oneDNN sizes its convolution blocking from the CPU's data-cache sizes, which it reads with the <c>cpuid</c>
/// deterministic cache leaves (leaf 4 on Intel, leaf 0x8000001D on AMD and Hygon). Some virtual machines
/// (Firecracker guests, for example) report those leaves as all zeros. oneDNN 3.x then divides by a zero cache size
/// while planning a 1x1 convolution's backward pass (<c>brgemm_convolution_bwd_utils::brg_blocking_t::est_eff_1x1</c>),
/// and the process dies with SIGFPE: no exception, no message. Every ResNet with bottleneck blocks hits it on the first
/// training step. Networks without 1x1 convolutions (deepcnn, VGG) do not reach that code, and oneDNN makes them about
/// twice as fast, so it stays on for them.
/// </para>
/// <para>
/// When the cache leaves are empty and a network with a 1x1 convolution is built, the guard turns oneDNN off for the
/// process (<c>at::globalContext()
/// .setUserEnabledMkldnn(false)</c>, what <c>torch.backends.mkldnn.enabled = False</c> does in PyTorch); libtorch then
/// uses its native convolution kernels, which are correct and somewhat slower. Set <c>MODELZOO_ONEDNN</c> to
/// <c>on</c> or <c>off</c> to override the automatic choice. The blocks and zoo models (as they register their layers)
/// and the trainer call <see cref="EnsureFor"/> with the network they build or train, so user code rarely needs to; once off, oneDNN stays
/// off for the rest of the process.
/// </para>
/// </remarks>
internal static class OneDnnGuard
{
    /// <summary>Environment variable that overrides the automatic choice: <c>auto</c> (default), <c>on</c> or <c>off</c>.</summary>
    public const string EnvironmentVariable = "MODELZOO_ONEDNN";

    private static readonly object Gate = new();
    private static string? _disabledReason;

    /// <summary>Why oneDNN was turned off in this process, or null while it is left as libtorch configured it.</summary>
    public static string? DisabledReason => Volatile.Read(ref _disabledReason);

    /// <summary>
    /// Applies the environment override (<c>MODELZOO_ONEDNN=off</c>). Never throws: if libtorch's switch cannot be
    /// reached (not Linux, symbol not exported), oneDNN is left as it is.
    /// </summary>
    public static void Ensure() => Apply(pointwiseConvolutions: false);

    /// <summary>
    /// Applies the decision for a network about to run: on a CPU that hides its cache sizes, oneDNN is turned off
    /// when <paramref name="module"/> holds a 1x1 convolution. Cheap when there is nothing to decide. Never throws.
    /// </summary>
    public static void EnsureFor(TorchSharp.torch.nn.Module module)
    {
        ArgumentNullException.ThrowIfNull(module);
        if (Volatile.Read(ref _disabledReason) is not null) return;
        // Scan the parameters only when a 1x1 convolution would change the decision.
        var (setting, hazard) = Host.Value;
        bool pointwiseMatters = Decide(setting, hazard, pointwiseConvolutions: true) != Decide(setting, hazard, pointwiseConvolutions: false);
        Apply(pointwiseMatters && HasPointwiseConvolution(module));
    }

    /// <summary>True when <paramref name="module"/> has a convolution weight with a 1x1 kernel.</summary>
    public static bool HasPointwiseConvolution(TorchSharp.torch.nn.Module module)
    {
        ArgumentNullException.ThrowIfNull(module);
        foreach (var (name, p) in module.named_parameters())
        {
            if (p.dim() == 4 && p.shape[2] == 1 && p.shape[3] == 1 && name.EndsWith("weight", StringComparison.Ordinal)) return true;
        }
        return false;
    }

    private static readonly Lazy<(string? Setting, bool Hazard)> Host = new(() =>
        (Environment.GetEnvironmentVariable(EnvironmentVariable), CacheInfoMissing(ReadCpuid)));

    private static void Apply(bool pointwiseConvolutions)
    {
        if (Volatile.Read(ref _disabledReason) is not null) return;
        var (setting, hazard) = Host.Value;
        string? reason = Decide(setting, hazard, pointwiseConvolutions);
        if (reason is null) return;
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
    /// value of <see cref="EnvironmentVariable"/>; <paramref name="pointwiseConvolutions"/> says whether the network
    /// has 1x1 convolutions.
    /// </summary>
    internal static string? Decide(string? setting, bool cacheInfoMissing, bool pointwiseConvolutions)
    {
        switch (setting?.Trim().ToLowerInvariant())
        {
            case "off" or "0" or "false":
                return $"{EnvironmentVariable}=off";
            case "on" or "1" or "true":
                return null;
            default:
                return cacheInfoMissing && pointwiseConvolutions
                    ? "the CPU reports no data-cache sizes (cpuid cache leaves are empty, as in some virtual machines), which makes oneDNN's planning of 1x1 convolutions divide by zero"
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
