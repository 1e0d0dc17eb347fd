using static TorchSharp.torch;

namespace ModelZoo.Weights;

/// <summary>The safetensors dtype names ModelZoo reads and writes, and their TorchSharp types.</summary>
internal static class SafetensorsDType
{
    private static readonly (string Name, ScalarType Type, int Size)[] Table =
    [
        ("F64", ScalarType.Float64, 8),
        ("F32", ScalarType.Float32, 4),
        ("F16", ScalarType.Float16, 2),
        ("BF16", ScalarType.BFloat16, 2),
        ("I64", ScalarType.Int64, 8),
        ("I32", ScalarType.Int32, 4),
        ("I16", ScalarType.Int16, 2),
        ("I8", ScalarType.Int8, 1),
        ("U8", ScalarType.Byte, 1),
        ("BOOL", ScalarType.Bool, 1),
    ];

    /// <summary>Every dtype name accepted, for error messages.</summary>
    public static string Known => string.Join(", ", Table.Select(t => t.Name));

    public static bool TryParse(string name, out ScalarType type, out int size)
    {
        foreach (var t in Table)
        {
            if (string.Equals(t.Name, name, StringComparison.Ordinal))
            {
                type = t.Type;
                size = t.Size;
                return true;
            }
        }
        type = default;
        size = 0;
        return false;
    }

    public static string NameOf(ScalarType type)
    {
        foreach (var t in Table)
            if (t.Type == type) return t.Name;
        throw new ArgumentException($"tensors of type {type} cannot be stored in safetensors by ModelZoo (supported: {Known})");
    }
}
