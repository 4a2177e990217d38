# sweep: per-token prefill cost against length (jamba-v0.1-div16)
# Written by hybench report.  Re-plot: cd into this folder, gnuplot model-sweep-prefill.gp
set terminal svg size 820,460 noenhanced font 'Helvetica,12' background rgb 'white'
set output 'model-sweep-prefill.svg'
set datafile separator '\t'
set datafile missing 'NaN'
set grid lc rgb '#d8d8d8'
set border lc rgb '#555555'
set key below left Left reverse samplen 2 spacing 1.1 maxrows 6
set title "sweep: per-token prefill cost against length (jamba-v0.1-div16)"
set logscale xy
set xlabel 'length (tokens; decode: context)'
set ylabel 'ms per token'
set format x '%g'
set format y '%g'
set autoscale xfix
set offsets graph 0.05, graph 0.05, 0, 0
set xtics (256, 1024, 4096, 8192)
set arrow 1 from 1236.13, graph 0 to 1236.13, graph 1 nohead dt 3 lw 1.5 lc rgb '#1f77b4'
set label 1 at 1236.13, graph 0.960 " 0:1 faster from L~1236" left tc rgb '#1f77b4' font ',10'
set arrow 2 from 1239.89, graph 0 to 1239.89, graph 1 nohead dt 3 lw 1.5 lc rgb '#d62728'
set label 2 at 1239.89, graph 0.910 " 1:7 faster from L~1240" left tc rgb '#d62728' font ',10'
set arrow 3 from 1243.62, graph 0 to 1243.62, graph 1 nohead dt 3 lw 1.5 lc rgb '#2ca02c'
set label 3 at 1243.62, graph 0.860 " 1:3 faster from L~1244" left tc rgb '#2ca02c' font ',10'
set arrow 4 from 1251.01, graph 0 to 1251.01, graph 1 nohead dt 3 lw 1.5 lc rgb '#ff7f0e'
set label 4 at 1251.01, graph 0.810 " 1:1 faster from L~1251" left tc rgb '#ff7f0e' font ',10'
set arrow 5 from 1094.07, graph 0 to 1094.07, graph 1 nohead dt 3 lw 1.5 lc rgb '#8c564b'
set label 5 at 1094.07, graph 0.760 " swa7:1 faster from L~1094" left tc rgb '#8c564b' font ',10'
plot \
  'model-sweep-prefill.dat' index 0 using 1:2:3:4 with yerrorlines lw 2 pt 7 ps 0.7 lc rgb '#1f77b4' title "attention:Mamba 0:1", \
  'model-sweep-prefill.dat' index 1 using 1:2:3:4 with yerrorlines lw 2 pt 7 ps 0.7 lc rgb '#d62728' title "attention:Mamba 1:7", \
  'model-sweep-prefill.dat' index 2 using 1:2:3:4 with yerrorlines lw 2 pt 7 ps 0.7 lc rgb '#2ca02c' title "attention:Mamba 1:3", \
  'model-sweep-prefill.dat' index 3 using 1:2:3:4 with yerrorlines lw 2 pt 7 ps 0.7 lc rgb '#ff7f0e' title "attention:Mamba 1:1", \
  'model-sweep-prefill.dat' index 4 using 1:2:3:4 with yerrorlines lw 2 pt 7 ps 0.7 lc rgb '#9467bd' title "attention:Mamba 1:0", \
  'model-sweep-prefill.dat' index 5 using 1:2:3:4 with yerrorlines lw 2 pt 7 ps 0.7 lc rgb '#8c564b' title "attention:Mamba swa7:1"
