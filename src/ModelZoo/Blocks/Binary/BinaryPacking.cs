using System.Globalization;
using ModelZoo.Weights;
using TorchSharp;
using static TorchSharp.torch;

namespace ModelZoo.Blocks.Binary;

/// <summary>
/// Packed export of a binarised model: a safetensors file where the weight of every <see cref="IBinaryLayer"/> is
/// stored as its signs, 1 bit each, 8 per byte, and everything else (real layers, biases, batch-norm parameters and
/// statistics) as in the state dict. Layout: the key <c>&lt;layer&gt;.weight</c> is a U8 tensor of
/// <c>ceil(n / 8)</c> bytes holding the row-major flattened kernel, element <c>i</c> in bit <c>i % 8</c> (least
/// significant first) of byte <c>i / 8</c>, bit 1 for +1 and 0 for -1 (sign(0) = +1), trailing bits 0; its real
/// shape is the metadata entry <c>shape:&lt;layer&gt;.weight</c> (comma-separated). A scaled layer adds
/// <c>&lt;layer&gt;.weight_alpha</c> (float32 <c>[out]</c>, the alpha in use). The metadata <c>format</c> is
/// <c>modelzoo-binary-packed/1</c> and <c>packed</c> lists the packed keys. Latent weights do not survive: loading
/// sets them to the ±1 signs and fixes each scaled layer's alpha to the saved one, which gives identical logits in eval
/// mode (a packed model is an inference model).
/// </summary>
public static class BinaryPacking
{
    /// <summary>The <c>format</c> metadata value.</summary>
    public const string Format = "modelzoo-binary-packed/1";

    /// <summary>Writes <paramref name="model"/> packed to <paramref name="path"/> (atomically); returns the file size in bytes.</summary>
    /// <param name="model">A model with binary layers (a model without any is written unpacked).</param>
    /// <param name="path">The file to write.</param>
    /// <exception cref="WeightsFileException">The file cannot be written.</exception>
    public static long Save(nn.Module model, string path)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        using var scope = torch.NewDisposeScope();
        var binary = BinaryLayers.Find(model).ToDictionary(b => Key(b.Name), b => b.Layer, StringComparer.Ordinal);
        var tensors = new List<KeyValuePair<string, Tensor>>();
        var metadata = new Dictionary<string, string>(StringComparer.Ordinal) { ["format"] = Format };
        foreach (var (key, value) in model.state_dict())
        {
            if (binary.TryGetValue(key, out var layer))
            {
                tensors.Add(new(key, Pack(layer.LatentWeight)));
                metadata["shape:" + key] = string.Join(",", layer.LatentWeight.shape.Select(d => d.ToString(CultureInfo.InvariantCulture)));
                if (layer.CurrentScale() is { } alpha) tensors.Add(new(key + "_alpha", alpha.to(ScalarType.Float32)));
            }
            else
            {
                tensors.Add(new(key, value));
            }
        }
        metadata["packed"] = string.Join(",", binary.Keys);
        SafetensorsFile.Write(path, tensors, metadata);
        return new FileInfo(path).Length;
    }

    /// <summary>
    /// Loads a file written by <see cref="Save"/> into <paramref name="model"/>, built as the saved one was (same zoo
    /// name and options): binary weights become their ±1 signs, scaled layers get the saved alpha, every other entry is copied.
    /// </summary>
    /// <param name="model">The model to load into.</param>
    /// <param name="path">The packed file.</param>
    /// <exception cref="WeightsFileException">The file is not a packed model, or its keys or shapes do not match the model's.</exception>
    public static void Load(nn.Module model, string path)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        using var scope = torch.NewDisposeScope();
        var header = SafetensorsFile.ReadHeader(path);
        var metadata = header.Metadata;
        if (metadata is null || !metadata.TryGetValue("format", out var format) || format != Format)
            throw new WeightsFileException(path, $"not a packed binary model (metadata format is not {Format})");
        var stored = SafetensorsFile.Read(path);
        var binary = BinaryLayers.Find(model).ToDictionary(b => Key(b.Name), b => b.Layer, StringComparer.Ordinal);
        var packed = (metadata.TryGetValue("packed", out var list) ? list : "").Split(',', StringSplitOptions.RemoveEmptyEntries).ToHashSet(StringComparer.Ordinal);
        if (!packed.SetEquals(binary.Keys))
            throw new WeightsFileException(path, $"packed layers [{string.Join(", ", packed)}] do not match the model's binary layers [{string.Join(", ", binary.Keys)}]");
        var state = model.state_dict();
        var expected = state.Keys.Concat(binary.Where(b => b.Value.Binary.Scaling).Select(b => b.Key + "_alpha")).ToHashSet(StringComparer.Ordinal);
        var missing = expected.Except(stored.Keys).ToList();
        var unexpected = stored.Keys.Except(expected).ToList();
        if (missing.Count > 0 || unexpected.Count > 0)
            throw new WeightsFileException(path, $"keys do not match the model: missing [{string.Join(", ", missing)}], unexpected [{string.Join(", ", unexpected)}]");
        using var noGrad = torch.no_grad();
        foreach (var (key, target) in state)
        {
            Tensor source;
            if (binary.TryGetValue(key, out var layer))
            {
                long[] shape = metadata.TryGetValue("shape:" + key, out var s)
                    ? s.Split(',').Select(d => long.Parse(d, CultureInfo.InvariantCulture)).ToArray()
                    : throw new WeightsFileException(path, $"no shape:{key} metadata for the packed weight {key}");
                source = Unpack(stored[key], shape, path, key);
                if (layer.Binary.Scaling) layer.FixScale(stored[key + "_alpha"]);
            }
            else
            {
                source = stored[key];
            }
            if (!source.shape.SequenceEqual(target.shape))
                throw new WeightsFileException(path, $"{key} has shape [{string.Join(", ", source.shape)}], the model's is [{string.Join(", ", target.shape)}]");
            target.copy_(source.to(target.dtype).to(target.device));
        }
    }

    /// <summary>The signs of <paramref name="weight"/> packed 8 per byte (bit 1 = +1, least significant bit first).</summary>
    /// <param name="weight">Any tensor.</param>
    public static Tensor Pack(Tensor weight)
    {
        ArgumentNullException.ThrowIfNull(weight);
        var values = weight.detach().cpu().to(ScalarType.Float32).contiguous().data<float>().ToArray();
        var bytes = new byte[(values.Length + 7) / 8];
        for (int i = 0; i < values.Length; i++)
            if (values[i] >= 0) bytes[i >> 3] |= (byte)(1 << (i & 7));
        return torch.tensor(bytes, ScalarType.Byte);
    }

    /// <summary>±1 float32 values of shape <paramref name="shape"/> from bits packed by <see cref="Pack"/>.</summary>
    /// <param name="packed">The U8 tensor.</param>
    /// <param name="shape">The weight's shape.</param>
    /// <exception cref="ArgumentException">The byte count does not fit the shape.</exception>
    public static Tensor Unpack(Tensor packed, long[] shape) => Unpack(packed, shape, null, "packed");

    private static Tensor Unpack(Tensor packed, long[] shape, string? path, string key)
    {
        ArgumentNullException.ThrowIfNull(packed);
        ArgumentNullException.ThrowIfNull(shape);
        long n = shape.Aggregate(1L, (a, d) => checked(a * d));
        if (packed.dtype != ScalarType.Byte || packed.numel() != (n + 7) / 8)
        {
            string problem = $"{key}: {packed.numel()} bytes of {packed.dtype} do not hold {n} packed bits";
            throw path is null ? new ArgumentException(problem, nameof(packed)) : new WeightsFileException(path, problem);
        }
        var bytes = packed.cpu().contiguous().data<byte>().ToArray();
        var values = new float[n];
        for (long i = 0; i < n; i++) values[i] = (bytes[i >> 3] >> (int)(i & 7) & 1) == 1 ? 1f : -1f;
        return torch.tensor(values, shape);
    }

    private static string Key(string layer) => layer.Length == 0 ? "weight" : layer + ".weight";
}
