using ModelZoo.Training;
using static TorchSharp.torch;

namespace ModelZoo.Cli.Commands;

/// <summary>A checkpoint's model in TorchSharp, with the checkpoint's preprocessing (<see cref="CheckpointImageInput"/>).</summary>
internal sealed class CheckpointClassifier : IImageClassifier
{
    private readonly nn.Module<Tensor, Tensor> _model;
    private readonly CheckpointImageInput _input;

    public CheckpointClassifier(string checkpointOrRun)
    {
        Source = Checkpoint.ResolveBestPath(checkpointOrRun);
        var info = Checkpoint.ReadInfo(Source);
        ModelName = info.ModelName;
        ClassNames = info.ClassNames;
        DataSpec = info.DataSpec;
        _input = new CheckpointImageInput(info);
        (_model, _) = Checkpoint.LoadModel(Source);
        _model.eval();
    }

    public string Source { get; }

    public string ModelName { get; }

    public IReadOnlyList<string> ClassNames { get; }

    public string? DataSpec { get; }

    public float[] Probabilities(string imagePath)
    {
        using var scope = NewDisposeScope();
        using var noGrad = no_grad();
        return _model.forward(_input.Load(imagePath)).softmax(1).data<float>().ToArray();
    }

    public void Dispose()
    {
        _model.Dispose();
        _input.Dispose();
    }
}
