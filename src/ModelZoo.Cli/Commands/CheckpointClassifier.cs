using TorchSharp;
using ModelZoo.Training;
using static TorchSharp.torch;

namespace ModelZoo.Cli.Commands;

/// <summary>A checkpoint's model in TorchSharp, with the checkpoint's preprocessing (<see cref="CheckpointImageInput"/>).</summary>
internal sealed class CheckpointClassifier : IImageClassifier
{
    private readonly nn.Module<Tensor, Tensor> _model;
    private readonly CheckpointImageInput _input;

    private readonly ComputePrecision _precision;
    private readonly bool _channelsLast;
    private readonly Device _device;

    public CheckpointClassifier(string checkpointOrRun, ComputePrecision precision = ComputePrecision.Fp32, bool? channelsLast = null, string device = "cpu")
    {
        _precision = precision;
        _device = DeviceSelector.Resolve(device);
        _channelsLast = channelsLast ?? ChannelsLast.PreferredForInference(precision, _device.type);
        Source = Checkpoint.ResolveBestPath(checkpointOrRun);
        var info = Checkpoint.ReadInfo(Source);
        ModelInputs.EnsureFits(info.ModelName, info.ImageSize, info.ImageSize);
        ModelName = info.ModelName;
        ClassNames = info.ClassNames;
        DataSpec = info.DataSpec;
        _input = new CheckpointImageInput(info);
        (_model, _) = Checkpoint.LoadModel(Source);
        _model.to(_device).eval();
    }

    public string Source { get; }

    public string ModelName { get; }

    public IReadOnlyList<string> ClassNames { get; }

    public string? DataSpec { get; }

    public float[] Probabilities(string imagePath)
    {
        using var scope = NewDisposeScope();
        using var noGrad = no_grad();
        var x = _input.Load(imagePath).to(_device);
        if (_channelsLast) x = ChannelsLast.Convert(x);
        Tensor logits;
        using (Autocast.Enter(_precision))
        {
            logits = _model.forward(x);
        }
        return logits.to_type(ScalarType.Float32).softmax(1).data<float>().ToArray();
    }

    public void Dispose()
    {
        _model.Dispose();
        _input.Dispose();
    }
}
