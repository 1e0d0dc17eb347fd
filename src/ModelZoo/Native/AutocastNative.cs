namespace ModelZoo.Native;

/// <summary>
/// libtorch's autocast switches (<c>at::autocast::*</c>, what <c>torch.autocast</c> calls in PyTorch), bound by their
/// Itanium C++ ABI names because TorchSharp 0.107 does not expose them. Device types and scalar types are passed as
/// their <c>c10</c> enum values. The state they change is per thread.
/// </summary>
internal static unsafe class AutocastNative
{
    /// <summary><c>c10::ScalarType::Half</c>.</summary>
    public const sbyte Half = 5;

    /// <summary><c>c10::ScalarType::BFloat16</c>.</summary>
    public const sbyte BFloat16 = 15;

    private sealed class Exports
    {
        public delegate* unmanaged<sbyte, byte, void> SetEnabled;
        public delegate* unmanaged<sbyte, byte> IsEnabled;
        public delegate* unmanaged<sbyte, sbyte, void> SetDtype;
        public delegate* unmanaged<sbyte, sbyte> GetDtype;
        public delegate* unmanaged<int> IncrementNesting;
        public delegate* unmanaged<int> DecrementNesting;
        public delegate* unmanaged<void> ClearCache;
    }

    private static readonly Lazy<Exports?> Bound = new(Bind);

    /// <summary>True when every export was found (Linux build of libtorch 2.4 or later).</summary>
    public static bool IsAvailable => Bound.Value is not null;

    private static Exports Require() =>
        Bound.Value ?? throw new InvalidOperationException("libtorch's autocast entry points are not available");

    public static void SetEnabled(sbyte device, bool enabled) => Require().SetEnabled(device, enabled ? (byte)1 : (byte)0);

    public static bool IsEnabled(sbyte device) => Require().IsEnabled(device) != 0;

    public static void SetDtype(sbyte device, sbyte dtype) => Require().SetDtype(device, dtype);

    public static sbyte GetDtype(sbyte device) => Require().GetDtype(device);

    public static int IncrementNesting() => Require().IncrementNesting();

    public static int DecrementNesting() => Require().DecrementNesting();

    public static void ClearCache() => Require().ClearCache();

    private static Exports? Bind()
    {
        var e = new Exports();
        if (!LibTorchCpu.TryGetExport("_ZN2at8autocast20set_autocast_enabledEN3c1010DeviceTypeEb", out var setEnabled)) return null;
        if (!LibTorchCpu.TryGetExport("_ZN2at8autocast19is_autocast_enabledEN3c1010DeviceTypeE", out var isEnabled)) return null;
        if (!LibTorchCpu.TryGetExport("_ZN2at8autocast18set_autocast_dtypeEN3c1010DeviceTypeENS1_10ScalarTypeE", out var setDtype)) return null;
        if (!LibTorchCpu.TryGetExport("_ZN2at8autocast18get_autocast_dtypeEN3c1010DeviceTypeE", out var getDtype)) return null;
        if (!LibTorchCpu.TryGetExport("_ZN2at8autocast17increment_nestingEv", out var increment)) return null;
        if (!LibTorchCpu.TryGetExport("_ZN2at8autocast17decrement_nestingEv", out var decrement)) return null;
        if (!LibTorchCpu.TryGetExport("_ZN2at8autocast11clear_cacheEv", out var clear)) return null;
        e.SetEnabled = (delegate* unmanaged<sbyte, byte, void>)setEnabled;
        e.IsEnabled = (delegate* unmanaged<sbyte, byte>)isEnabled;
        e.SetDtype = (delegate* unmanaged<sbyte, sbyte, void>)setDtype;
        e.GetDtype = (delegate* unmanaged<sbyte, sbyte>)getDtype;
        e.IncrementNesting = (delegate* unmanaged<int>)increment;
        e.DecrementNesting = (delegate* unmanaged<int>)decrement;
        e.ClearCache = (delegate* unmanaged<void>)clear;
        return e;
    }
}
