using System.Runtime.InteropServices;
using Google.Protobuf;
using Onnx;
using static TorchSharp.torch;

namespace ModelZoo.Onnx;

/// <summary>
/// Collects an ONNX graph: nodes in topological order (the order they are added), initializers (copied from the
/// module's parameters and buffers as float32, little-endian raw data) and unique value names derived from module paths.
/// </summary>
internal sealed class OnnxGraphBuilder
{
    private readonly HashSet<string> names = new(StringComparer.Ordinal);

    public GraphProto Graph { get; } = new();

    /// <summary>Bytes of initializer data added so far.</summary>
    public long InitializerBytes { get; private set; }

    /// <summary>A name not used yet: <paramref name="hint"/>, else <c>hint_1</c>, <c>hint_2</c>, ...</summary>
    public string Unique(string hint)
    {
        if (hint.Length == 0) hint = "value";
        if (names.Add(hint)) return hint;
        for (int i = 1; ; i++)
        {
            string candidate = $"{hint}_{i}";
            if (names.Add(candidate)) return candidate;
        }
    }

    /// <summary>Adds a float32 initializer with the tensor's data and shape; returns its name.</summary>
    public string Initializer(string hint, Tensor tensor)
    {
        using var scope = NewDisposeScope();
        var t = tensor.detach().to(ScalarType.Float32).cpu().contiguous();
        float[] data = t.data<float>().ToArray();
        return Initializer(hint, t.shape, data);
    }

    /// <summary>Adds a float32 initializer from data; returns its name.</summary>
    public string Initializer(string hint, long[] shape, float[] data)
    {
        if (!BitConverter.IsLittleEndian) throw new PlatformNotSupportedException("ONNX raw tensor data is little-endian; this machine is not");
        var proto = new TensorProto { Name = Unique(hint), DataType = (int)TensorProto.Types.DataType.Float };
        proto.Dims.AddRange(shape);
        proto.RawData = ByteString.CopyFrom(MemoryMarshal.AsBytes(data.AsSpan()));
        Graph.Initializer.Add(proto);
        InitializerBytes += proto.RawData.Length;
        return proto.Name;
    }

    /// <summary>Adds a node with one output named after <paramref name="hint"/>; returns the output value.</summary>
    public OnnxValue Node(string opType, string hint, IEnumerable<string> inputs, long[] outputDims, params AttributeProto[] attributes)
    {
        string output = Unique(hint);
        var node = new NodeProto { OpType = opType, Name = output };
        node.Input.AddRange(inputs);
        node.Output.Add(output);
        node.Attribute.AddRange(attributes);
        Graph.Node.Add(node);
        return new OnnxValue(output, outputDims);
    }

    /// <summary>Declares a float32 graph input or output with a symbolic batch dimension.</summary>
    public static ValueInfoProto TensorInfo(string name, string batchDimension, IEnumerable<long> dims)
    {
        var shape = new TensorShapeProto();
        shape.Dim.Add(new TensorShapeProto.Types.Dimension { DimParam = batchDimension });
        foreach (long d in dims) shape.Dim.Add(new TensorShapeProto.Types.Dimension { DimValue = d });
        return new ValueInfoProto
        {
            Name = name,
            Type = new TypeProto { TensorType = new TypeProto.Types.Tensor { ElemType = (int)TensorProto.Types.DataType.Float, Shape = shape } },
        };
    }

    /// <summary>An integer attribute.</summary>
    public static AttributeProto Int(string name, long value) =>
        new() { Name = name, Type = AttributeProto.Types.AttributeType.Int, I = value };

    /// <summary>An integer-list attribute.</summary>
    public static AttributeProto Ints(string name, params long[] values)
    {
        var a = new AttributeProto { Name = name, Type = AttributeProto.Types.AttributeType.Ints };
        a.Ints.AddRange(values);
        return a;
    }

    /// <summary>A float attribute.</summary>
    public static AttributeProto Float(string name, float value) =>
        new() { Name = name, Type = AttributeProto.Types.AttributeType.Float, F = value };
}
