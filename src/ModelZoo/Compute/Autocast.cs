using ModelZoo.Native;
using TorchSharp;

namespace ModelZoo;

/// <summary>
/// Mixed-precision regions, PyTorch's <c>torch.autocast</c> (which TorchSharp 0.107 lacks), on libtorch's own
/// autocast: inside a region, the operations on libtorch's lower-precision list (convolutions, linear layers, matrix
/// products) cast their inputs and weights to the region's 16-bit type, the operations on its float32 list (losses,
/// softmax-type reductions, norms) run in float32, and everything else runs in the type of its inputs. Parameters are
/// never changed: the casts are per call (cached for the region, so a weight used twice is cast once) and gradients
/// flow back to the float32 weights. Regions nest; the state is per thread, so dispose a region on the thread that
/// entered it.
/// </summary>
/// <example>
/// <code>
/// using (Autocast.Enter(ComputePrecision.Bf16))
/// {
///     logits = model.call(images);                  // bfloat16 convolutions, float32 weights
/// }
/// var loss = functional.cross_entropy(logits.to_type(ScalarType.Float32), labels);
/// </code>
/// </example>
public static class Autocast
{
    /// <summary>True when libtorch's autocast entry points were found (the Linux build of libtorch, as TorchSharp-cpu ships).</summary>
    public static bool IsAvailable => AutocastNative.IsAvailable;

    /// <summary>
    /// Enters a region computing in <paramref name="precision"/> on <paramref name="device"/> (CPU by default).
    /// <see cref="ComputePrecision.Fp32"/> returns a region that changes nothing.
    /// </summary>
    /// <exception cref="PrecisionNotSupportedException">A 16-bit precision was asked for and libtorch's autocast cannot be reached on this platform.</exception>
    public static AutocastScope Enter(ComputePrecision precision, DeviceType device = DeviceType.CPU)
    {
        if (precision == ComputePrecision.Fp32) return AutocastScope.None;
        if (!AutocastNative.IsAvailable)
        {
            throw new PrecisionNotSupportedException(precision,
                "libtorch's autocast entry points (at::autocast) were not found in libtorch_cpu; ModelZoo binds them by their Linux (Itanium C++ ABI) names, so 16-bit compute is available on Linux only");
        }
        sbyte dtype = precision == ComputePrecision.Bf16 ? AutocastNative.BFloat16 : AutocastNative.Half;
        return AutocastScope.Begin((sbyte)device, dtype);
    }

    /// <summary>Whether autocast is on for <paramref name="device"/> on this thread (false when it cannot be read).</summary>
    public static bool IsEnabled(DeviceType device = DeviceType.CPU) => AutocastNative.IsAvailable && AutocastNative.IsEnabled((sbyte)device);

    /// <summary>The torch scalar type of <paramref name="precision"/>.</summary>
    public static torch.ScalarType ScalarTypeOf(ComputePrecision precision) => precision switch
    {
        ComputePrecision.Bf16 => torch.ScalarType.BFloat16,
        ComputePrecision.Fp16 => torch.ScalarType.Float16,
        _ => torch.ScalarType.Float32,
    };
}
