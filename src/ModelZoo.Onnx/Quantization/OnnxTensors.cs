using System.Runtime.InteropServices;
using Google.Protobuf;
using Onnx;

namespace ModelZoo.Onnx.Quantization;

/// <summary>Initializer data in and out of <see cref="TensorProto"/> (raw little-endian data, as the exporter writes it).</summary>
internal static class OnnxTensors
{
    private static void CheckEndianness()
    {
        if (!BitConverter.IsLittleEndian) throw new PlatformNotSupportedException("ONNX raw tensor data is little-endian; this machine is not");
    }

    /// <summary>The float32 values of an initializer (raw data or the <c>float_data</c> field).</summary>
    public static float[] Floats(TensorProto tensor)
    {
        CheckEndianness();
        if (tensor.DataType != (int)TensorProto.Types.DataType.Float)
            throw new InvalidOperationException($"initializer '{tensor.Name}' is not float32");
        return tensor.RawData.Length > 0 ? MemoryMarshal.Cast<byte, float>(tensor.RawData.Span).ToArray() : tensor.FloatData.ToArray();
    }

    /// <summary>A float32 initializer.</summary>
    public static TensorProto Float(string name, IEnumerable<long> dims, float[] data) =>
        Make(name, dims, TensorProto.Types.DataType.Float, MemoryMarshal.AsBytes(data.AsSpan()));

    /// <summary>An int8 initializer.</summary>
    public static TensorProto Int8(string name, IEnumerable<long> dims, sbyte[] data) =>
        Make(name, dims, TensorProto.Types.DataType.Int8, MemoryMarshal.AsBytes(data.AsSpan()));

    /// <summary>A uint8 initializer.</summary>
    public static TensorProto UInt8(string name, IEnumerable<long> dims, byte[] data) =>
        Make(name, dims, TensorProto.Types.DataType.Uint8, data);

    /// <summary>An int32 initializer.</summary>
    public static TensorProto Int32(string name, IEnumerable<long> dims, int[] data) =>
        Make(name, dims, TensorProto.Types.DataType.Int32, MemoryMarshal.AsBytes(data.AsSpan()));

    private static TensorProto Make(string name, IEnumerable<long> dims, TensorProto.Types.DataType type, ReadOnlySpan<byte> bytes)
    {
        CheckEndianness();
        var proto = new TensorProto { Name = name, DataType = (int)type, RawData = ByteString.CopyFrom(bytes) };
        proto.Dims.AddRange(dims);
        return proto;
    }
}
