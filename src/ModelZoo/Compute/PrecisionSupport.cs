using System.Runtime.Intrinsics.X86;
using TorchSharp;

namespace ModelZoo;

/// <summary>
/// Names of the compute precisions, and whether this machine runs one fast. A 16-bit precision always runs
/// correctly on CPU (libtorch converts where the hardware cannot compute it), but without the instructions for it,
/// conversions cost more than the narrower data saves: bfloat16 needs AVX512-BF16 or AMX-BF16, float16 needs
/// AVX512-FP16 or AMX-FP16. libtorch reaches those instructions through oneDNN, so bfloat16 convolutions are slow
/// while oneDNN is turned off (see <see cref="TorchRuntime.OneDnnDisabledReason"/>).
/// </summary>
public static class PrecisionSupport
{
    /// <summary>The command-line and config name: <c>fp32</c>, <c>bf16</c> or <c>fp16</c>.</summary>
    public static string Name(ComputePrecision precision) => precision switch
    {
        ComputePrecision.Bf16 => "bf16",
        ComputePrecision.Fp16 => "fp16",
        _ => "fp32",
    };

    /// <summary>Parses <c>fp32</c>/<c>float32</c>, <c>bf16</c>/<c>bfloat16</c> or <c>fp16</c>/<c>float16</c>/<c>half</c> (any case).</summary>
    /// <exception cref="ArgumentException">Any other text; the message lists the accepted names.</exception>
    public static ComputePrecision Parse(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        return text.Trim().ToLowerInvariant() switch
        {
            "fp32" or "float32" or "float" => ComputePrecision.Fp32,
            "bf16" or "bfloat16" => ComputePrecision.Bf16,
            "fp16" or "float16" or "half" => ComputePrecision.Fp16,
            _ => throw new ArgumentException($"unknown precision '{text}' (use fp32, bf16 or fp16)", nameof(text)),
        };
    }

    /// <summary>Parses a precision name as <see cref="Parse"/> does; false for any other text.</summary>
    public static bool TryParse(string text, out ComputePrecision precision)
    {
        ArgumentNullException.ThrowIfNull(text);
        try
        {
            precision = Parse(text);
            return true;
        }
        catch (ArgumentException)
        {
            precision = default;
            return false;
        }
    }

    /// <summary>Bytes per element of a tensor in <paramref name="precision"/>.</summary>
    public static int BytesPerElement(ComputePrecision precision) => precision == ComputePrecision.Fp32 ? 4 : 2;

    /// <summary>Whether <paramref name="precision"/> runs natively on <paramref name="device"/> of this machine, and why.</summary>
    public static PrecisionCapability Check(ComputePrecision precision, DeviceType device = DeviceType.CPU)
    {
        if (precision == ComputePrecision.Fp32) return new(precision, device, true, "float32 is every device's native format");
        string name = Name(precision);
        if (device == DeviceType.CUDA)
        {
            return new(precision, device, true, precision == ComputePrecision.Bf16
                ? "CUDA: bf16 is native from compute capability 8.0 (Ampere); older GPUs emulate it (not checked here)"
                : "CUDA: fp16 is native on every supported GPU (tensor cores from compute capability 7.0)");
        }
        if (device != DeviceType.CPU) return new(precision, device, true, $"{device}: {name} speed is not checked");
        var features = CpuFeatures.Read();
        if (features is null) return new(precision, device, true, $"not an x86 CPU: whether it computes {name} natively is not checked");
        string? oneDnnOff = TorchRuntime.OneDnnDisabledReason;
        if (precision == ComputePrecision.Bf16)
        {
            if (!features.Value.Avx512Bf16 && !features.Value.AmxBf16)
                return new(precision, device, false, "this CPU has neither AVX512-BF16 nor AMX-BF16, so bf16 is converted to float32 for every operation and usually runs slower than fp32");
            if (oneDnnOff is not null)
                return new(precision, device, false, $"the CPU has {(features.Value.AmxBf16 ? "AMX-BF16" : "AVX512-BF16")}, but oneDNN, which libtorch uses for bf16 convolutions, is off ({oneDnnOff}), so bf16 convolutions use slow reference kernels");
            return new(precision, device, true, $"the CPU has {(features.Value.AmxBf16 ? "AMX-BF16" : "AVX512-BF16")} and oneDNN is on");
        }
        if (!features.Value.Avx512Fp16 && !features.Value.AmxFp16)
            return new(precision, device, false, "this CPU has neither AVX512-FP16 nor AMX-FP16, so fp16 is converted for every operation and usually runs much slower than fp32 (fp16 is meant for GPUs; bf16 is the CPU's 16-bit format)");
        return new(precision, device, true, $"the CPU has {(features.Value.AmxFp16 ? "AMX-FP16" : "AVX512-FP16")}");
    }

    private readonly record struct CpuFeatures(bool Avx512Bf16, bool AmxBf16, bool Avx512Fp16, bool AmxFp16)
    {
        public static CpuFeatures? Read()
        {
            if (!X86Base.IsSupported) return null;
            if (X86Base.CpuId(0, 0).Eax < 7) return new CpuFeatures(false, false, false, false);
            var leaf7 = X86Base.CpuId(7, 0);
            var leaf71 = X86Base.CpuId(7, 1);
            // cpuid(7,0).EDX: bit 22 AMX-BF16, bit 23 AVX512-FP16; cpuid(7,1).EAX: bit 5 AVX512-BF16, bit 21 AMX-FP16.
            return new CpuFeatures(
                Avx512Bf16: (leaf71.Eax & (1 << 5)) != 0,
                AmxBf16: (leaf7.Edx & (1 << 22)) != 0,
                Avx512Fp16: (leaf7.Edx & (1 << 23)) != 0,
                AmxFp16: (leaf71.Eax & (1 << 21)) != 0);
        }
    }
}
