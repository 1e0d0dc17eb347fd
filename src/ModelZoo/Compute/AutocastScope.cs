using ModelZoo.Native;

namespace ModelZoo;

/// <summary>
/// A mixed-precision region entered by <see cref="Autocast.Enter"/>; disposing it restores the thread's previous
/// autocast state and, when the outermost region ends (or an inner region of another type), frees the cached 16-bit
/// copies of the weights, so the next region casts the updated weights.
/// </summary>
public sealed class AutocastScope : IDisposable
{
    internal static AutocastScope None { get; } = new(active: false, 0, false, 0);

    private readonly bool _active;
    private readonly sbyte _device;
    private readonly bool _previousEnabled;
    private readonly sbyte _previousDtype;
    private bool _disposed;

    private AutocastScope(bool active, sbyte device, bool previousEnabled, sbyte previousDtype)
    {
        _active = active;
        _device = device;
        _previousEnabled = previousEnabled;
        _previousDtype = previousDtype;
    }

    internal static AutocastScope Begin(sbyte device, sbyte dtype)
    {
        bool wasEnabled = AutocastNative.IsEnabled(device);
        sbyte wasDtype = AutocastNative.GetDtype(device);
        // libtorch's weight cache is keyed by tensor only: a nested region of another type must not reuse the outer copies.
        if (wasEnabled && wasDtype != dtype) AutocastNative.ClearCache();
        AutocastNative.SetDtype(device, dtype);
        AutocastNative.SetEnabled(device, true);
        AutocastNative.IncrementNesting();
        return new AutocastScope(active: true, device, wasEnabled, wasDtype);
    }

    /// <summary>True when this region changed the autocast state (false for a float32 region).</summary>
    public bool IsActive => _active;

    /// <inheritdoc />
    public void Dispose()
    {
        if (!_active || _disposed) return;
        _disposed = true;
        bool outermost = AutocastNative.DecrementNesting() == 0;
        if (outermost || (_previousEnabled && _previousDtype != AutocastNative.GetDtype(_device))) AutocastNative.ClearCache();
        AutocastNative.SetEnabled(_device, _previousEnabled);
        AutocastNative.SetDtype(_device, _previousDtype);
    }
}
